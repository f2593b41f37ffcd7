// What the report header says about the machine and the code.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// GIT_OPTIONAL_LOCKS=0: reading the status must not touch the index (the lead may be committing).
function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } }).trim();
  } catch {
    return null;
  }
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(`${ROOT}/node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

export type Environment = { date: string; lines: string[] };

export function describeEnvironment(): Environment {
  const cpus = os.cpus();
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = commit !== null && (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '';
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    date,
    lines: [
      `- date: ${date}`,
      `- node: ${process.version} (${os.platform()} ${os.release()}, ${os.arch()})`,
      `- machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, load average at start ${load}`,
      `- commit: ${commit === null ? 'unknown (no git)' : `${commit}${dirty ? ' + uncommitted changes' : ''}`}`,
      `- backends: highs ${packageVersion('highs')}, javascript-lp-solver ${packageVersion('javascript-lp-solver')} (jsl)`,
    ],
  };
}
