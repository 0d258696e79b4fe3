/**
 * A progress display that works on a terminal (cli-progress bar) and in CI logs
 * (a line every 10 %), so long builds never look hung.
 */
import cliProgress from "cli-progress";

export interface Progress {
  tick(n?: number): void;
  setTotal(total: number): void;
  stop(message?: string): void;
}

export function progress(label: string, total: number): Progress {
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {duration_formatted}`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    let value = 0;
    return {
      tick: (n = 1) => {
        value = Math.min(value + n, bar.getTotal());
        bar.update(value);
      },
      setTotal: (t) => bar.setTotal(t),
      stop: (message) => {
        bar.update(bar.getTotal());
        bar.stop();
        if (message) console.log(message);
      },
    };
  }
  let value = 0;
  let max = total;
  let lastDecile = -1;
  const started = Date.now();
  console.log(`${label}: 0/${max}`);
  return {
    tick: (n = 1) => {
      value = Math.min(value + n, max);
      const decile = Math.floor((value / Math.max(max, 1)) * 10);
      if (decile !== lastDecile && decile < 10) {
        lastDecile = decile;
        console.log(`${label}: ${value}/${max} (${Math.round((Date.now() - started) / 1000)} s)`);
      }
    },
    setTotal: (t) => {
      max = t;
    },
    stop: (message) => {
      console.log(`${label}: done in ${Math.round((Date.now() - started) / 1000)} s${message ? ` — ${message}` : ""}`);
    },
  };
}
