// The medsched command line run as a real process from the sources, for the CLI tests.
import { execFile } from 'node:child_process';
import { expect } from 'vitest';
import { repoRoot } from './paths.js';

export type Run = { code: number; stdout: string; stderr: string };

/** Runs `medsched ARGS` (with `env` over this process's environment); resolves with its exit code and output, whatever the code. */
export function medsched(args: string[], timeoutMs: number, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: repoRoot, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, MEDSCHED_DEBUG: '', ...env } },
      (error, stdout, stderr) => {
        // A non-numeric code means the process never ran or was killed (timeout): not an answer.
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: child.exitCode ?? 0, stdout, stderr });
      },
    );
  });
}

export const expectNoStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
