/** The embedded ledger. Re-exported by @cairn/ledger's index. */
export { createEmbeddedLedger, type EmbeddedLedger, type EmbeddedLedgerOptions } from "./embedded-ledger";
export { DEFAULT_EMBEDDED_IDENTITY, type EmbeddedIdentity, type EmbeddedRole } from "./identity";
export { verifyBlockChain, type BlockChainReport, type BlockChainProblem } from "./verify";
export { blockHash, BLOCK_TAG, GENESIS_PREV_HASH, type BlockContent, type BlockWrite } from "./block";
export { LEDGER_LOCK_KEY } from "./transact";
