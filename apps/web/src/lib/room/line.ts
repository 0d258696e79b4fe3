/** One line of a room's transcript as the UI shows it. */
export interface Line {
  key: string;
  roomSeq: number | null;
  leafIndex: number | null;
  sender: string;
  mine: boolean;
  /** ISO time (server time once stored). */
  time: string;
  /** Tree size of the first anchored checkpoint that includes the message, or null while pending. */
  anchoredTreeSize: number | null;
  /** This browser's own check of the inclusion proof against the ledger's checkpoint (absent until checked). */
  audit?: { verdict: "verified" | "failed"; treeSize: number; witnessed: { count: number; of: number } | null };
  state: "text" | "waiting" | "failed" | "sending" | "send-failed";
  text: string | null;
  note?: string;
}
