/**
 * Entry point of `pnpm fabric:up | fabric:down | fabric:status` (and `fabric build`).
 * Run with tsx; exit status 0 on success, 1 on failure (status: 1 when not running).
 */
import { Command } from "commander";
import { ensureFabricBinaries } from "./build";
import { down, status, up } from "./network";

const program = new Command("fabric").description("Cairn's native Hyperledger Fabric development network");

program
  .command("build")
  .description("build (or find cached) Fabric binaries at the pinned commit")
  .action(async () => {
    const b = await ensureFabricBinaries();
    console.log(`${b.cached ? "cached" : "built"}: ${b.binDir} (${(b.ms / 1000).toFixed(1)} s)`);
  });
program.command("up").description("start orderer, two peers, chaincode server; deploy the chaincode").action(async () => {
  await up();
});
program.command("down").description("stop every process `up` started and remove the data directory").action(async () => {
  await down();
});
program.command("status").description("say what runs").action(async () => {
  process.exitCode = (await status()) ? 0 : 1;
});

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
