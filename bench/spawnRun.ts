// Starts runOne.ts in a child process and turns what it prints into a RunOutcome.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RESULT_MARKER, type ChildReport, type RunConfig, type RunOutcome } from './types.js';

const RUN_ONE = fileURLToPath(new URL('./runOne.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const STDERR_TAIL = 4000;

/** Runs one config; the child is killed (outcome TIMEOUT) when it is still running after killAfterMs. */
export function spawnRun(config: RunConfig, killAfterMs: number): Promise<RunOutcome> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', RUN_ONE, JSON.stringify(config)], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_TAIL)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, killAfterMs);

  return new Promise<RunOutcome>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      if (timedOut)
        return resolve({ config, kind: 'timeout', wallMs, error: `killed after ${(killAfterMs / 1000).toFixed(0)} s` });
      const line = stdout.split('\n').reverse().find((l) => l.startsWith(RESULT_MARKER));
      let report: ChildReport | undefined;
      try {
        if (line) report = JSON.parse(line.slice(RESULT_MARKER.length)) as ChildReport;
      } catch {
        report = undefined;
      }
      if (report?.ok) return resolve({ config, kind: 'ok', wallMs, report });
      const why = spawnError?.message ?? (report && !report.ok ? report.error : `exited with ${signal ?? `code ${code}`} and no result`);
      resolve({ config, kind: 'crash', wallMs, error: [why, stderr.trim()].filter(Boolean).join('\n') });
    };
    child.on('error', (error) => done(null, null, error));
    child.on('close', (code, signal) => done(code, signal));
  });
}
