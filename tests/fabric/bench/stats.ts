/** Percentiles and an ASCII histogram for the anchor benchmark. */

/** Nearest-rank percentile of ascending `sorted` (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/**
 * A histogram of latencies (ms) in fixed-width bins, one line per bin:
 * `  0.50– 0.75 s |#####          |  1234 (12.3 %)`. Bins are 250 ms wide, or wider
 * (multiples of 250 ms) so that there are at most `maxBins` lines.
 */
export function histogram(valuesMs: readonly number[], width = 50, maxBins = 24): string {
  if (valuesMs.length === 0) return "(no samples)";
  const max = valuesMs.reduce((a, b) => Math.max(a, b), 0);
  const binMs = Math.max(250, Math.ceil(max / maxBins / 250) * 250);
  const bins = new Array<number>(Math.floor(max / binMs) + 1).fill(0);
  for (const v of valuesMs) {
    const i = Math.floor(v / binMs);
    bins[i] = (bins[i] ?? 0) + 1;
  }
  const top = Math.max(...bins);
  return bins
    .map((n, i) => {
      const from = ((i * binMs) / 1000).toFixed(2).padStart(5);
      const to = (((i + 1) * binMs) / 1000).toFixed(2).padStart(5);
      const bar = "#".repeat(Math.round((n / top) * width)).padEnd(width);
      const pct = ((100 * n) / valuesMs.length).toFixed(1).padStart(5);
      return `${from}–${to} s |${bar}| ${String(n).padStart(6)} (${pct} %)`;
    })
    .join("\n");
}
