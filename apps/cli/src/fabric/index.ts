/** @cairn/cli/fabric — facts about the native Fabric network `pnpm fabric:up` starts, for benches that report them. */
export { BATCH } from "./config";
