/**
 * The relay's rate limits (docs/rate-limits.md): for each client event kind, one budget
 * per socket (in memory: a socket lives in one process) and one per user (PostgreSQL,
 * shared by every relay process, so a user's many sockets share it), and one budget of
 * session shares per user, counted by share, not by event. Over a budget: CairnError
 * RATE_LIMITED with `retryAfterMs`; handler.ts acks it and runs nothing.
 */
import { CairnError, EVENTS, type ClientEventName } from "@cairn/protocol";
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { RelayEnv } from "../env";
import { postgresLimiter, type RateSpec, type RateStore } from "@cairn/db/rate-limit";

export interface EventLimitSpecs {
  /** Per event kind: per socket, per user (null: off). */
  events: Record<ClientEventName, { socket: RateSpec | null; user: RateSpec | null }>;
  /** Session shares per user. */
  shares: RateSpec | null;
}

export interface EventLimits {
  /** Takes one `event` from the socket's and the user's budgets. @throws CairnError RATE_LIMITED */
  event(event: ClientEventName, who: { socketId: string; userId: string }): Promise<void>;
  /** Takes `count` session shares from the user's budget. @throws CairnError RATE_LIMITED */
  shares(userId: string, count: number): Promise<void>;
}

/** The specs env.ts parsed. */
export function eventLimitSpecs(env: RelayEnv): EventLimitSpecs {
  return {
    events: {
      [EVENTS.sendMessage]: { socket: env.CAIRN_RATE_MESSAGE_SOCKET, user: env.CAIRN_RATE_MESSAGE_USER },
      [EVENTS.sendShares]: { socket: env.CAIRN_RATE_SHARES_SOCKET, user: env.CAIRN_RATE_SHARES_USER },
      [EVENTS.subscribeRoom]: { socket: env.CAIRN_RATE_SUBSCRIBE_SOCKET, user: env.CAIRN_RATE_SUBSCRIBE_USER },
      [EVENTS.ackShares]: { socket: env.CAIRN_RATE_SHARES_ACK_SOCKET, user: env.CAIRN_RATE_SHARES_ACK_USER },
    },
    shares: env.CAIRN_RATE_SHARE_COUNT_USER,
  };
}

function refused(what: string, res: RateLimiterRes): CairnError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new CairnError("RATE_LIMITED", `Too many ${what}. Try again in ${seconds} s.`, {
    retryAfterMs: Math.max(1, res.msBeforeNext),
  });
}

async function take(limiter: RateLimiterAbstract | undefined, key: string, points: number, what: string): Promise<void> {
  if (!limiter) return;
  try {
    await limiter.consume(key, points);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw refused(what, err);
    throw err;
  }
}

/** @param sql the relay passes its node-postgres pool (`sqlPool`): a prepared statement per limited event, no Prisma. */
export function createEventLimits(sql: RateStore, specs: EventLimitSpecs): EventLimits {
  const perSocket = new Map<string, RateLimiterAbstract>();
  const perUser = new Map<string, RateLimiterAbstract>();
  let first = true;
  const stored = (prefix: string, spec: RateSpec) => {
    const limiter = postgresLimiter(sql, prefix, spec, { clearExpired: first });
    first = false;
    return limiter;
  };
  for (const [event, spec] of Object.entries(specs.events)) {
    if (spec.socket) {
      const { points, durationSec } = spec.socket;
      perSocket.set(event, new RateLimiterMemory({ keyPrefix: `relay:${event}:socket`, points, duration: durationSec }));
    }
    if (spec.user) perUser.set(event, stored(`relay:${event}:user`, spec.user));
  }
  const shareLimiter = specs.shares ? stored("relay:shares:count", specs.shares) : undefined;
  return {
    async event(event, who) {
      await take(perSocket.get(event), who.socketId, 1, `${event} events`);
      const user = perUser.get(event);
      if (user) {
          await take(user, who.userId, 1, `${event} events`);
      }
    },
    async shares(userId, count) {
      if (!shareLimiter) return;
      await take(shareLimiter, userId, count, "session shares");
    },
  };
}
