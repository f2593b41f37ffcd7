// `medsched replan`, run as a real process (node --import tsx src/cli/main.ts replan ...).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplanResult } from '../src/contract/replan.js';
import { repoRoot } from './support/paths.js';
import { expectNoStackTrace, medsched as run } from './support/runCli.js';

const INSTANCE = 'examples/lakeshore-clinic.json';
const DAY = 'examples/lakeshore-day.json';
const EVENTS = 'examples/lakeshore-events.json';
const NOW = '2026-11-24T10:05:00-06:00';
/** A test that re-plans the example: a process start plus one exact solve (two runs in the first test). */
const SOLVE_TIMEOUT_MS = 120_000;

const medsched = (args: string[], timeoutMs = SOLVE_TIMEOUT_MS / 2) => run(args, timeoutMs);


let tmp: string;
/** Writes a JSON (or raw text) file into the test's temporary directory and returns its path. */
async function fixture(name: string, content: unknown): Promise<string> {
  const file = join(tmp, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2), 'utf8');
  return file;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'medsched-replan-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// Each starts a process or two (about a second each): more than vitest's default 5 s on a loaded machine.
describe('medsched replan: bad input is exit 2, names the file and the JSON path', { timeout: 30_000 }, () => {
  it('an event naming an unknown appointment (events as a bare array)', async () => {
    const events = await fixture('unknown-appointment.json', [
      { type: 'delay', providerId: 'dr-mensah', availableFrom: '2026-11-24T13:40:00-06:00' },
      { type: 'noshow', appointmentId: 'appt-999' },
    ]);
    const { code, stderr } = await medsched(['replan', INSTANCE, DAY, events, '--now', NOW]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${events} at $[1].appointmentId`);
    expect(stderr).toContain("unknown appointment 'appt-999'");
    expectNoStackTrace(stderr);
  });

  it('an event naming an unknown appointment (events under "events")', async () => {
    const events = await fixture('unknown-appointment-wrapped.json', {
      events: [{ type: 'cancellation', appointmentId: 'appt-999', at: '2026-11-24T09:00:00-06:00' }],
    });
    const { code, stderr } = await medsched(['replan', INSTANCE, DAY, events, '--now', NOW]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${events} at $.events[0].appointmentId`);
    expectNoStackTrace(stderr);
  });

  it('an event of an unknown type', async () => {
    const events = await fixture('unknown-type.json', [
      { type: 'noshow', appointmentId: 'appt-040' },
      { type: 'teleport', appointmentId: 'appt-041' },
    ]);
    const { code, stderr } = await medsched(['replan', INSTANCE, DAY, events, '--now', NOW]);
    expect(code).toBe(2);
    expect(stderr).toContain(events);
    expect(stderr).toContain('$[1]');
    expect(stderr).toMatch(/delay, overrun, emergency/);
    expectNoStackTrace(stderr);
  });

  it('an overrun whose expected end is before the appointment starts', async () => {
    // appt-050 is booked later in the morning; the overrun claims it ends at 08:00.
    const events = await fixture('overrun-before-start.json', [
      { type: 'overrun', appointmentId: 'appt-050', expectedEnd: '2026-11-24T08:00:00-06:00' },
    ]);
    const { code, stderr } = await medsched(['replan', INSTANCE, DAY, events, '--now', NOW]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${events} at $[0].expectedEnd`);
    expect(stderr).toMatch(/not after the appointment's start/);
    expectNoStackTrace(stderr);
  });

  it('an appointment of the day naming an unknown room, in the DAYSTATE file', async () => {
    const day = JSON.parse(await readFile(join(repoRoot, DAY), 'utf8')) as { appointments: { roomId: string }[] };
    day.appointments[3]!.roomId = 'broom-cupboard';
    const dayFile = await fixture('unknown-room-day.json', day);
    const { code, stderr } = await medsched(['replan', INSTANCE, dayFile, EVENTS, '--now', NOW]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${dayFile} at $.appointments[3].roomId`);
    expect(stderr).not.toContain(EVENTS);
    expectNoStackTrace(stderr);
  });

  it('--now missing', async () => {
    const { code, stderr } = await medsched(['replan', INSTANCE, DAY, EVENTS]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--now .*required/);
    expectNoStackTrace(stderr);
  });

  it('--now malformed (no date, no offset)', async () => {
    for (const now of ['10:05', '2026-11-24T10:05:00']) {
      const { code, stderr } = await medsched(['replan', INSTANCE, DAY, EVENTS, '--now', now]);
      expect(code).toBe(2);
      expect(stderr).toContain(`--now must be an RFC 3339 date-time`);
      expect(stderr).toContain(`'${now}'`);
      expectNoStackTrace(stderr);
    }
  });

  it('--now outside the horizon', async () => {
    const { code, stderr } = await medsched(['replan', INSTANCE, DAY, EVENTS, '--now', '2026-11-25T10:05:00-06:00']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--now 2026-11-25T10:05:00-06:00: must lie inside the horizon/);
    expectNoStackTrace(stderr);
  });

  it('a DAYSTATE that is not JSON', async () => {
    const dayFile = await fixture('not-json-day.json', '{ "appointments": [ { "id": "appt-001", ');
    const { code, stderr } = await medsched(['replan', INSTANCE, dayFile, EVENTS, '--now', NOW]);
    expect(code).toBe(2);
    expect(stderr).toContain(dayFile);
    expect(stderr).toMatch(/not valid JSON/);
    expectNoStackTrace(stderr);
  });

  it('a missing EVENTS argument', async () => {
    const { code, stderr } = await medsched(['replan', INSTANCE, DAY, '--now', NOW]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/missing EVENTS/);
  });
});

// These need the re-planner itself (solver/replan/replanDay.ts).
describe('medsched replan: the Lakeshore example', () => {
  it('re-plans the day (exit 0) and prints the summary and the change table', async () => {
    const text = await medsched(['replan', INSTANCE, DAY, EVENTS, '--now', NOW]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const json = await medsched(['replan', INSTANCE, DAY, EVENTS, '--now', NOW, '--json']);
    expect(json.code).toBe(0);
    const result = ReplanResult.parse(JSON.parse(json.stdout));

    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe(result.summary);
    expect(text.stdout).toMatch(/^status \w+ {2}cost \S+ {2}bound \S+ {2}gap \S+ {2}solved in [\d.]+ s$/m);
    expect(text.stdout).toMatch(/^ {2}kind +patient +request +from → to +provider +room +delay$/m);
    // Every change has its row, with the times in the clinic's local time.
    for (const change of result.changes) expect(text.stdout).toMatch(new RegExp(`^ {2}${change.kind} +${change.patientId} +${change.requestId} `, 'm'));
    // The late cancellation (appt-045, req-0078 at 11:00) is one of them.
    expect(result.changes).toContainEqual(expect.objectContaining({ kind: 'cancelled', appointmentId: 'appt-045', requestId: 'req-0078' }));
    expect(text.stdout).toMatch(/^ {2}cancelled +\S+ +req-0078 +11:00 → —$/m);
  }, SOLVE_TIMEOUT_MS);

  it('--json prints only the result, and --out writes the same JSON', async () => {
    const out = join(tmp, 'replan-result.json');
    const { code, stdout } = await medsched(['replan', INSTANCE, DAY, EVENTS, '--now', NOW, '--json', '--out', out]);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout);
    expect(ReplanResult.safeParse(printed).success).toBe(true);
    expect(Date.parse(printed.now)).toBe(Date.parse(NOW));
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(printed);
  }, SOLVE_TIMEOUT_MS);
});
