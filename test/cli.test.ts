// The medsched command line, run as a real process (node --import tsx src/cli/main.ts ...).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInstance } from '../src/contract/parse.js';
import { OptimizationResult } from '../src/contract/result.js';
import { clinicSmallPath, repoRoot } from './support/paths.js';

const ROOT = repoRoot;
const FIXTURES = 'test/fixtures';
const CLINIC_SMALL = clinicSmallPath;

type Run = { code: number; stdout: string; stderr: string };

function medsched(args: string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, MEDSCHED_DEBUG: '' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error); // spawn failure or timeout
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'medsched-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('medsched schema', () => {
  it('prints the JSON Schema of an instance', async () => {
    const { code, stdout } = await medsched(['schema']);
    expect(code).toBe(0);
    const schema = JSON.parse(stdout);
    expect(schema.properties.providers).toBeDefined();
    expect(schema.properties.requests).toBeDefined();
    // io: 'input': fields with defaults are optional.
    expect(schema.required).toEqual(expect.arrayContaining(['version', 'clinic', 'horizon']));
    expect(schema.required).not.toContain('slotMinutes');
  });
});

describe('medsched validate', () => {
  it('accepts a valid result and prints the recomputed score', async () => {
    const { code, stdout } = await medsched([
      'validate',
      `${FIXTURES}/tiny-instance.json`,
      `${FIXTURES}/tiny-result-valid.json`,
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/valid/);
    expect(stdout).toMatch(/112(\.00)?/);
  });

  it('lists every violation and exits 1', async () => {
    const { code, stdout } = await medsched([
      'validate',
      `${FIXTURES}/tiny-instance.json`,
      `${FIXTURES}/tiny-result-invalid.json`,
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^constraint 4 at \$\.appointments\[\d+\]\S*: /m);
    expect(stdout).toMatch(/111\.75/);
  });

  it('rejects a malformed result with its JSON paths (exit 2)', async () => {
    const { code, stderr } = await medsched([
      'validate',
      `${FIXTURES}/tiny-instance.json`,
      `${FIXTURES}/tiny-result-malformed.json`,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('tiny-result-malformed.json');
    expect(stderr).toContain('$.status');
    expect(stderr).toContain('$.bound');
    noStackTrace(stderr);
  });

  it('names a file that is not JSON (exit 2)', async () => {
    const { code, stderr } = await medsched(['validate', `${FIXTURES}/broken.json`, `${FIXTURES}/tiny-result-valid.json`]);
    expect(code).toBe(2);
    expect(stderr).toContain('broken.json');
    expect(stderr).toMatch(/not valid JSON/);
    noStackTrace(stderr);
  });

  it('names a file that does not exist (exit 2)', async () => {
    const { code, stderr } = await medsched(['validate', `${FIXTURES}/no-such-file.json`, `${FIXTURES}/tiny-result-valid.json`]);
    expect(code).toBe(2);
    expect(stderr).toContain('no-such-file.json');
    noStackTrace(stderr);
  });

  it('lists the problems of a schema-invalid instance path by path (exit 2)', async () => {
    const { code, stderr } = await medsched([
      'validate',
      `${FIXTURES}/invalid-instance.json`,
      `${FIXTURES}/tiny-result-valid.json`,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('invalid-instance.json');
    expect(stderr).toContain('$.version');
    expect(stderr).toContain('$.clinic.timezone');
    expect(stderr).toContain('$.requests[0].urgency');
    noStackTrace(stderr);
  });

  it('needs both files (exit 2)', async () => {
    const { code, stderr } = await medsched(['validate', `${FIXTURES}/tiny-instance.json`]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/missing RESULT/);
  });
});

describe('medsched usage', () => {
  it('exits 2 with the usage text on an unknown command', async () => {
    const { code, stderr } = await medsched(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'frobnicate'/);
    expect(stderr).toMatch(/medsched optimize INSTANCE/);
  });

  it('prints the usage text for help and for no arguments', async () => {
    for (const args of [['help'], []]) {
      const { code, stdout } = await medsched(args);
      expect(code).toBe(0);
      expect(stdout).toMatch(/medsched validate INSTANCE RESULT/);
    }
  });

  it('exits 2 on an unknown option or a bad value, without a stack trace', async () => {
    const unknown = await medsched(['schema', '--frob']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--frob/);
    const badBackend = await medsched(['optimize', `${FIXTURES}/tiny-instance.json`, '--backend', 'cplex']);
    expect(badBackend.code).toBe(2);
    expect(badBackend.stderr).toMatch(/--backend/);
    const badLimit = await medsched(['optimize', `${FIXTURES}/tiny-instance.json`, '--time-limit', 'soon']);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toMatch(/--time-limit/);
    const badRounds = await medsched(['optimize', `${FIXTURES}/tiny-instance.json`, '--max-rounds', '0']);
    expect(badRounds.code).toBe(2);
    expect(badRounds.stderr).toMatch(/--max-rounds must be more than 0/);
    noStackTrace(unknown.stderr + badBackend.stderr + badLimit.stderr + badRounds.stderr);
  }, 60_000); // four processes in a row: slow when the suite loads every core
});

describe('medsched generate', () => {
  it('writes a parseable instance to --out', async () => {
    const out = join(tmp, 'generated.json');
    const { code } = await medsched(['generate', '--providers', '3', '--seed', '7', '--date', '2026-11-24', '--out', out]);
    expect(code).toBe(0);
    const parsed = parseInstance(JSON.parse(await readFile(out, 'utf8')));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.value.providers).toHaveLength(3);
  });

  it('prints the instance on stdout without --out, deterministically', async () => {
    const a = await medsched(['generate', '--providers', '2', '--seed', '11']);
    const b = await medsched(['generate', '--providers', '2', '--seed', '11']);
    expect(a.code).toBe(0);
    expect(parseInstance(JSON.parse(a.stdout)).ok).toBe(true);
    expect(b.stdout).toBe(a.stdout);
  });

  it('rejects bad options (exit 2)', async () => {
    const { code, stderr } = await medsched(['generate', '--providers', 'many', '--seed', '1']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--providers/);
  });
});

describe('medsched optimize', () => {
  it('rejects a file that is not JSON (exit 2)', async () => {
    const { code, stderr } = await medsched(['optimize', `${FIXTURES}/broken.json`]);
    expect(code).toBe(2);
    expect(stderr).toContain('broken.json');
    noStackTrace(stderr);
  });

  it('rejects a schema-invalid instance with JSON paths (exit 2)', async () => {
    const { code, stderr } = await medsched(['optimize', `${FIXTURES}/invalid-instance.json`]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/\$\.\w+/);
    expect(stderr).toContain('$.version');
    noStackTrace(stderr);
  });

  it('prints a summary in the clinic\'s local time (instants given in UTC)', async () => {
    const { code, stdout } = await medsched(['optimize', `${FIXTURES}/tiny-instance-utc.json`, '--time-limit', '5', '--backend', 'jsl']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^dr-a: 2 appointments.*17% of 240 min available$/m);
    expect(stdout).toMatch(/^ {2}08:00-08:20 {2}req-1 fm-followup {2}pt-a {2}exam-1$/m);
    expect(stdout).toMatch(/^ {2}09:00-09:20 {2}req-2 fm-followup {2}pt-b {2}exam-1 {2}urgent$/m);
    expect(stdout).toMatch(/status optimal {2}score 112\.00 {2}bound 112\.00 {2}gap 0\.00%/);
  });

  // Needs the solver (solver/optimize.ts and its backends).
  it('optimizes clinic-small and prints only the result JSON with --json', async () => {
    const out = join(tmp, 'clinic-small-result.json');
    const { code, stdout, stderr } = await medsched(
      ['optimize', CLINIC_SMALL, '--time-limit', '20', '--json', '--out', out],
      60_000,
    );
    expect(stderr).not.toMatch(/internal error/);
    expect(code).toBe(0);
    const result = OptimizationResult.parse(JSON.parse(stdout));
    expect(result.appointments).toHaveLength(23);
    expect(['optimal', 'feasible']).toContain(result.status);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(JSON.parse(stdout));

    // The written result passes `medsched validate` too.
    const check = await medsched(['validate', CLINIC_SMALL, out]);
    expect(check.code).toBe(0);
  }, 90_000);
});
