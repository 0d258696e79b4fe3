/**
 * Read-only HTTP view of the ledger, served by the relay (the process that holds
 * ledger credentials), so browsers can check keys and checkpoints against the
 * chain rather than against Cairn's database:
 *
 *   GET /ledger/users/:userId/keys      the user's key registry record (identity + devices, with history)
 *   GET /ledger/checkpoints/latest      the newest checkpoint on chain
 *   GET /ledger/checkpoints/:treeSize   one checkpoint
 *   GET /ledger/leaves/:index           a leaf hash and the checkpoint that anchored it
 *   GET /ledger/rooms/:roomRef/heads/:treeSize  a room's head as of a checkpoint (admins and compliance officers)
 *   GET /ledger/room-refs/:roomId       a room's keyed reference, for an export (admins)
 *
 * Callers must be logged in (session cookie). A key record links a user id to its
 * on-chain pseudonym, so it is served only to the user themself, to members of a room
 * they share, and to admins and compliance officers (who verify exports naming any
 * sender); anyone else gets 403 FORBIDDEN. A room head tells how many messages the
 * room with that (export-disclosed) reference had, so it too is theirs only.
 * Checkpoints and leaves are hashes: any
 * logged-in user may read them. Answers are JSON; errors use the stable codes of
 * @cairn/protocol.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { findSession, readCookie, SESSION_COOKIE, shareARoom, type PrismaClient, type SessionUser } from "@cairn/db";
import type { Ledger } from "@cairn/ledger";
import { CairnError, httpStatusOf, toErrorBody } from "@cairn/protocol";
import { z } from "zod";
import { errorFields, type Logger } from "@cairn/log";
import { roomRef, userRef } from "@cairn/anchoring";

export interface LedgerHttpDeps {
  prisma: PrismaClient;
  ledger: Ledger;
  serverSecret: string;
  corsOrigins: string[];
  log: Logger;
}

const UserId = z.uuid();
const Index = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const RoomRef = z.string().regex(/^[0-9a-f]{64}$/);

type Caller = SessionUser["user"];
type Route = (match: RegExpExecArray, caller: Caller) => Promise<unknown>;

/** Roles that may read every user's key record (they verify bundles naming any sender). */
const READ_ANY_KEYS: ReadonlySet<string> = new Set(["admin", "compliance"]);

export function createLedgerHttpHandler(deps: LedgerHttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const routes: [RegExp, Route][] = [
    [
      /^\/ledger\/users\/([^/]+)\/keys$/,
      async (m, caller) => {
        const parsed = UserId.safeParse(m[1]);
        if (!parsed.success) throw new CairnError("VALIDATION_FAILED", "userId must be a UUID.");
        if (!READ_ANY_KEYS.has(caller.role) && !(await shareARoom(deps.prisma, caller.id, parsed.data))) {
          throw new CairnError("FORBIDDEN", "You may read the keys of people you share a room with.");
        }
        const ref = userRef(deps.serverSecret, parsed.data);
        const record = await deps.ledger.getKeys(ref);
        if (!record) throw new CairnError("NOT_FOUND", "No keys on the ledger for this user yet.");
        return record;
      },
    ],
    [
      /^\/ledger\/checkpoints\/latest$/,
      async () => {
        const cp = await deps.ledger.getLatestCheckpoint();
        if (!cp) throw new CairnError("NOT_FOUND", "Nothing has been anchored yet.");
        return cp;
      },
    ],
    [
      /^\/ledger\/checkpoints\/([^/]+)$/,
      async (m) => {
        const size = Index.safeParse(m[1]);
        if (!size.success) throw new CairnError("VALIDATION_FAILED", "treeSize must be a whole number.");
        const cp = await deps.ledger.getCheckpoint(size.data);
        if (!cp) throw new CairnError("NOT_FOUND", "No checkpoint of that size on the ledger.");
        return cp;
      },
    ],
    [
      /^\/ledger\/leaves\/([^/]+)$/,
      async (m) => {
        const index = Index.safeParse(m[1]);
        if (!index.success) throw new CairnError("VALIDATION_FAILED", "index must be a whole number.");
        const leaf = await deps.ledger.getLeaf(index.data);
        if (!leaf) throw new CairnError("NOT_FOUND", "No such leaf on the ledger.");
        return leaf;
      },
    ],
    [
      /^\/ledger\/room-refs\/([^/]+)$/,
      (m, caller) => {
        if (caller.role !== "admin") throw new CairnError("FORBIDDEN", "Room references are for admins (they export).");
        const parsed = UserId.safeParse(m[1]);
        if (!parsed.success) throw new CairnError("VALIDATION_FAILED", "roomId must be a UUID.");
        return Promise.resolve({ roomRef: roomRef(deps.serverSecret, parsed.data) });
      },
    ],
    [
      /^\/ledger\/rooms\/([^/]+)\/heads\/([^/]+)$/,
      async (m, caller) => {
        if (!READ_ANY_KEYS.has(caller.role)) throw new CairnError("FORBIDDEN", "Room heads are for admins and compliance officers.");
        const ref = RoomRef.safeParse(m[1]);
        const size = Index.safeParse(m[2]);
        if (!ref.success || !size.success) throw new CairnError("VALIDATION_FAILED", "roomRef must be 64 hex digits and treeSize a whole number.");
        const head = await deps.ledger.getRoomHead(ref.data, size.data);
        if (!head) throw new CairnError("NOT_FOUND", "No head for this room on the ledger as of that checkpoint.");
        return head;
      },
    ],
  ];

  function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
    const origin = req.headers.origin;
    if (origin && deps.corsOrigins.includes(origin)) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Access-Control-Allow-Credentials", "true");
      res.setHeader("Vary", "Origin");
    }
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
    res.end(JSON.stringify(body));
  }

  return (req, res) => {
    void (async () => {
      try {
        const path = new URL(req.url ?? "/", "http://relay").pathname;
        if (req.method !== "GET") throw new CairnError("NOT_FOUND", "Not found.");
        const route = routes.find(([re]) => re.test(path));
        if (!route) throw new CairnError("NOT_FOUND", "Not found.");
        const session = await findSession(deps.prisma, readCookie(req.headers.cookie, SESSION_COOKIE));
        if (!session) throw new CairnError("UNAUTHENTICATED", "Log in first.");
        const match = route[0].exec(path) as RegExpExecArray;
        send(req, res, 200, await route[1](match, session.user));
      } catch (err) {
        const body = toErrorBody(err);
        if (body.error.code === "INTERNAL") deps.log.error("ledger read failed", errorFields(err));
        send(req, res, httpStatusOf(body.error.code), body);
      }
    })();
  };
}
