import type { ReactNode } from "react";
import { ChatProvider } from "./_components/ChatProvider";

export default function ChatLayout({ children }: { children: ReactNode }) {
  return <ChatProvider>{children}</ChatProvider>;
}
