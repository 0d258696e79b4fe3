#!/usr/bin/env node
// The `cairn` command: Cairn's CLI is TypeScript run in place (apps/cli/src), so this
// registers tsx's loader and hands over to src/index.ts. Linked as `cairn` into
// node_modules/.bin (root and every package that depends on @cairn/cli); `pnpm cairn …`
// (the root script) runs this same file.
import { register } from "tsx/esm/api";

register();
await import("../src/index.ts");
