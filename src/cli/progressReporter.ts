import { performance } from 'node:perf_hooks';
import type { Progress } from '../../solver/api.js';
import { formatGap, formatScore } from './formatSummary.js';
import type { Io } from './io.js';

export type ProgressReporter = { update(progress: Progress): void; stop(): void };

/** Say nothing for runs shorter than this. */
const QUIET_MS = 1_000;

/**
 * Progress of a running optimization on stderr: one line rewritten in place (\r) on a terminal,
 * a plain line every ~2 s otherwise (logs, CI). Elapsed time is the parent's wall clock, so the line
 * keeps moving while the solver is busy inside one long backend call.
 */
export function startProgressReporter(io: Io, options: { timeLimitMs: number }): ProgressReporter {
  const started = performance.now();
  const tty = io.errIsTTY;
  let latest: Progress | undefined;
  let wrote = false;

  const render = () => {
    const elapsed = performance.now() - started;
    if (elapsed < QUIET_MS) return;
    const line = progressLine(latest, elapsed, options.timeLimitMs);
    io.err(tty ? `\r${line}\x1b[K` : `${line}\n`);
    wrote = true;
  };
  const timer = setInterval(render, tty ? 250 : 2_000);
  timer.unref();

  return {
    update(progress) {
      latest = progress;
    },
    stop() {
      clearInterval(timer);
      if (tty && wrote) {
        render();
        io.err('\n');
      }
    },
  };
}

export function progressLine(progress: Progress | undefined, elapsedMs: number, timeLimitMs: number): string {
  const clock = `${(elapsedMs / 1000).toFixed(1)} s of ${timeLimitMs / 1000} s`;
  if (!progress) return `optimizing: no schedule yet  ${clock}`;
  return `optimizing: best ${formatScore(progress.objective)}  bound ${formatScore(progress.bound)}  gap ${formatGap(progress.gap)}  ${progress.scheduled}/${progress.requests} scheduled  ${clock}`;
}
