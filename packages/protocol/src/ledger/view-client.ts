/**
 * Reading the relay's ledger view (GET {relay}/ledger/…) with each answer parsed by
 * its schema: the one client the browser (key checks, compliance verification) and
 * the web server (exports) share. 404 is "the chain holds no such record" (null);
 * anything else that is not a valid record is LEDGER_UNAVAILABLE, never a guess.
 */
import { CairnError } from "../errors";
import { LEDGER_VIEW_PATHS, LEDGER_VIEW_RESPONSES, type LedgerViewResponse, type LedgerViewRoute } from "./view";

export interface LedgerViewClientOptions {
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Extra request settings: the browser sends its cookie (`credentials: "include"`), the web server a cookie header. */
  init?: Omit<RequestInit, "method" | "body">;
}

export interface LedgerViewClient {
  /**
   * The record behind route `route`, or null when the chain holds none.
   * @throws CairnError LEDGER_UNAVAILABLE when the relay cannot be reached, refuses, or answers something else
   */
  read<R extends LedgerViewRoute>(route: R, ...args: Parameters<(typeof LEDGER_VIEW_PATHS)[R]>): Promise<LedgerViewResponse<R> | null>;
}

export function ledgerViewClient(relayUrl: string, options: LedgerViewClientOptions = {}): LedgerViewClient {
  const base = relayUrl.replace(/\/$/, "");
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  return {
    async read(route, ...args) {
      const path = (LEDGER_VIEW_PATHS[route] as (...a: typeof args) => string)(...args);
      let res: Response;
      try {
        res = await fetchImpl(`${base}${path}`, { cache: "no-store", ...options.init });
      } catch (err) {
        throw new CairnError("LEDGER_UNAVAILABLE", "The relay's ledger view cannot be reached.", { cause: err });
      }
      if (res.status === 404) return null;
      if (!res.ok) throw new CairnError("LEDGER_UNAVAILABLE", `The relay's ledger view answered ${res.status} for ${path}.`);
      const parsed = LEDGER_VIEW_RESPONSES[route].safeParse(await res.json().catch(() => undefined));
      if (!parsed.success) throw new CairnError("LEDGER_UNAVAILABLE", `The relay's ledger view sent an invalid record for ${path}.`);
      return parsed.data as LedgerViewResponse<typeof route>;
    },
  };
}
