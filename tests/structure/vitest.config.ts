import { defineConfig } from "vitest/config";

/** The tree's own rules (imports, layout): `npx vitest run -c tests/structure/vitest.config.ts`. */
export default defineConfig({
  test: { root: import.meta.dirname },
});
