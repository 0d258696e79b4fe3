/**
 * A rate limit as configuration: "POINTS/SECONDS" (e.g. "10/60": ten per minute per
 * key) or "off". Parsed by the app's env schema; pure, so the UI never imports it.
 */
import { z } from "zod";

/** At most `points` per `durationSec`-second window and key. */
export interface RateSpec {
  points: number;
  durationSec: number;
}

/** zod schema of one limit: "POINTS/SECONDS" or "off" (null: no limit). */
export function rateSpec(fallback: string) {
  return z
    .string()
    .trim()
    .default(fallback)
    .transform((text, ctx): RateSpec | null => {
      if (text === "off") return null;
      const m = /^(\d{1,9})\/(\d{1,7})$/.exec(text);
      const points = Number(m?.[1]);
      const durationSec = Number(m?.[2]);
      if (!m || points < 1 || durationSec < 1) {
        ctx.addIssue({ code: "custom", message: 'a limit is "POINTS/SECONDS" (both ≥ 1) or "off"' });
        return z.NEVER;
      }
      return { points, durationSec };
    });
}
