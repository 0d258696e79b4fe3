/** Checkpoint files: recorded from a live ledger, read back as the verifier's ledger offline. */
export { checkpointFileLedger, CheckpointFileGapError } from "./file-ledger";
export { parseCheckpointFile, CheckpointFileInvalidError } from "./parse";
export { recordCheckpointFile, type RecordingLedger, type RecordOptions } from "./record";
