#!/usr/bin/env node
/** The `cairn-verify` program (bundled into dist/cairn-verify.js by `pnpm build`). */
import { runCli } from "./cli";

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
