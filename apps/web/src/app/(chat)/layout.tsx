import type { ReactNode } from "react";
import { ChatProvider } from "./_components/ChatProvider";

/** The chat pages; their top bar (ChatProvider) links to the audit pages. */
export default function ChatLayout({ children }: { children: ReactNode }) {
  return <ChatProvider>{children}</ChatProvider>;
}
