import Link from "next/link";
import type { ReactNode } from "react";
import { ChatProvider } from "./_components/ChatProvider";

export default function ChatLayout({ children }: { children: ReactNode }) {
  return (
    <ChatProvider>
      {children}
      {/* The audit pages (admin, compliance, add plaintext); each says what the user's role allows. */}
      <Link href="/admin" className="small" style={{ position: "fixed", right: "1rem", bottom: "0.6rem" }} data-testid="nav-audit">
        Audit &amp; compliance
      </Link>
    </ChatProvider>
  );
}
