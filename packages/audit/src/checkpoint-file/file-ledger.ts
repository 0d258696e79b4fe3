/**
 * The bundle verifier's ledger, answered from a checkpoint file (@cairn/protocol
 * `CheckpointFile`) instead of a live chain: `cairn-verify` runs the same
 * verifyBundle offline. A question the file does not answer is never guessed (a
 * missing checkpoint is not "forged", a missing key record not "substituted"): it
 * stops verification with a CheckpointFileGapError, which the command reports as
 * unusable input (exit 2) with the way to record a file that answers it.
 */
import type { CheckpointFile } from "@cairn/protocol";
import type { LedgerView } from "../bundle/verify-deps";

/** The checkpoint file does not answer a question the verifier must ask. */
export class CheckpointFileGapError extends Error {
  readonly code = "CHECKPOINT_FILE_GAP";
  constructor(message: string) {
    super(message);
    this.name = "CheckpointFileGapError";
  }
}

const HINT = "record a file for this bundle with `cairn checkpoint --bundle <bundle> --out <file>`";

/**
 * A LedgerView over a parsed checkpoint file.
 * Each method @throws CheckpointFileGapError when the file does not answer its question.
 */
export function checkpointFileLedger(file: CheckpointFile): LedgerView {
  const checkpoints = new Map(file.checkpoints.map((a) => [a.treeSize, a.checkpoint]));
  const keys = new Map(file.keys.map((a) => [a.userRef, a.record]));
  const leaves = new Map(file.leaves.map((a) => [a.index, a.leaf]));
  const heads = file.roomHeads && new Map(file.roomHeads.map((a) => [`${a.roomRef}@${a.treeSize}`, a.head]));
  return {
    getCheckpoint(treeSize) {
      const answer = checkpoints.get(treeSize);
      if (answer === undefined)
        return Promise.reject(
          new CheckpointFileGapError(
            `the checkpoint file does not say whether the chain holds a checkpoint of size ${treeSize}: ${HINT}`,
          ),
        );
      if (answer === null) return Promise.resolve(null);
      const { treeSize: size, rootHash, txId, time } = answer;
      return Promise.resolve({ treeSize: size, rootHash, txId, time });
    },
    getKeys(userRef) {
      const answer = keys.get(userRef);
      if (answer === undefined)
        return Promise.reject(
          new CheckpointFileGapError(
            `the checkpoint file has no answer for the key record of ${userRef}: ${HINT}`,
          ),
        );
      return Promise.resolve(answer);
    },
    // A file recorded before room heads answers none: the verifier then leaves completeness unchecked.
    ...(heads && {
      getRoomHead(roomRef: string, treeSize: number) {
        const answer = heads.get(`${roomRef}@${treeSize}`);
        if (answer === undefined)
          return Promise.reject(
            new CheckpointFileGapError(`the checkpoint file has no answer for the head of room ${roomRef} at checkpoint ${treeSize}: ${HINT}`),
          );
        return Promise.resolve(answer && { roomSeq: answer.roomSeq, leafIndex: answer.leafIndex, treeSize: answer.treeSize });
      },
    }),
    getLeaf(index) {
      const answer = leaves.get(index);
      if (answer === undefined)
        return Promise.reject(
          new CheckpointFileGapError(
            `the checkpoint file has no answer for audit leaf ${index}: ${HINT}`,
          ),
        );
      return Promise.resolve(
        answer === null ? null : { index: answer.index, leafHash: answer.leafHash },
      );
    },
  };
}
