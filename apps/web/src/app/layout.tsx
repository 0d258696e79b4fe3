import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "Cairn",
  description: "End-to-end encrypted team chat with a tamper-evident audit trail.",
};

/**
 * Every page renders per request: the Content-Security-Policy's nonce (src/proxy.ts)
 * is fresh for each response, and Next.js can only put it on the scripts of a page it
 * renders for that request — a page prerendered at build time would carry none.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
