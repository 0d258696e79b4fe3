/** Reading a checkpoint file's text: JSON, then @cairn/protocol's CheckpointFile schema. */
import { CHECKPOINT_FILE_FORMAT, CheckpointFile } from "@cairn/protocol";

/** The text is not a checkpoint file of a known version (unusable input: exit 2). */
export class CheckpointFileInvalidError extends Error {
  readonly code = "CHECKPOINT_FILE_INVALID";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CheckpointFileInvalidError";
  }
}

/**
 * @returns the file, every field checked
 * @throws CheckpointFileInvalidError when it is not JSON or not a valid checkpoint file
 */
export function parseCheckpointFile(text: string): CheckpointFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CheckpointFileInvalidError(`not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = CheckpointFile.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new CheckpointFileInvalidError(
      `not a ${CHECKPOINT_FILE_FORMAT} of a known version: ${issues.join("; ")}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
