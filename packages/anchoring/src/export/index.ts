/**
 * @cairn/anchoring/export — the room exporter alone, for processes that must not load
 * a ledger client (the web app): it imports ledger types only.
 */
export { planExport, writeExport, type ExportPlan, type ExportResult, type WriteExportOptions } from "./write";
export { exportRoom, type ExportOptions, type RoomExportResult } from "./export-room";
export { userRef, roomRef, SERVER_SECRET_PATTERN } from "../user-ref";
