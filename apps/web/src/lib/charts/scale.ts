/**
 * The arithmetic of Cairn's hand-drawn SVG charts: linear scales, round tick values
 * and short labels for durations and times. No chart library: the charts are a few
 * shapes each.
 */

export interface LinearScale {
  (value: number): number;
  domain: [number, number];
  range: [number, number];
}

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps everything to the middle of the range. */
export function linearScale(domain: [number, number], range: [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const f = ((value: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((value - d0) / (d1 - d0)) * (r1 - r0))) as LinearScale;
  f.domain = domain;
  f.range = range;
  return f;
}

/**
 * About `count` round tick values covering [min, max] (steps of 1, 2 or 5 × 10^k).
 * @throws RangeError when count < 1 or the bounds are not finite
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError("bounds must be finite");
  if (count < 1) throw new RangeError("count must be at least 1");
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** "850 ms", "1.2 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  const sign = ms < 0 ? "−" : "";
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 1 : 0)} s`;
  if (a < 3_600_000) return `${sign}${Math.floor(a / 60_000)} min ${Math.round((a % 60_000) / 1000)} s`;
  return `${sign}${Math.floor(a / 3_600_000)} h ${Math.round((a % 3_600_000) / 60_000)} min`;
}

/** HH:MM:SS in UTC when the span is under a day, else the date and time. */
export function formatTime(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  return spanMs < 86_400_000 ? iso.slice(11, 19) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}
