import { z } from 'zod';
import { Appointment } from '../contract/appointment.js';
import type { Instance } from '../contract/instance.js';
import { formatProblems, parseWith } from '../contract/parse.js';
import { DayState, ReplanEvent, type ReplanInput } from '../contract/replan.js';
import { checkReplanInput } from '../contract/replanChecks.js';
import { isRfc3339 } from '../domain/time.js';
import { CliError, usageError } from './errors.js';
import { readJsonFile } from './readJsonFile.js';

export type ReplanFiles = { dayState: string; events: string };

/** One list of the re-plan input, and whether its file holds it as a bare array. */
type ListFile<T> = { items: T[]; bare: boolean };

export function parseNow(text: string | undefined): string {
  if (text === undefined) throw usageError('replan: --now T is required: the time now, e.g. 2026-11-24T10:05:00-06:00');
  if (!isRfc3339(text))
    throw usageError(`replan: --now must be an RFC 3339 date-time with an explicit offset, e.g. 2026-11-24T10:05:00-06:00, got '${text}'`);
  return text;
}

/**
 * Reads DAYSTATE and EVENTS, checks each against its schema, then checks the whole re-plan input
 * against the instance (checkReplanInput). Every problem names its file (or --now) and its JSON path
 * in that file; any problem is a CliError (exit 2).
 */
export async function readReplanInput(instance: Instance, files: ReplanFiles, now: string): Promise<ReplanInput> {
  const day = await readListFile(files.dayState, 'appointments', Appointment, DayState, 'day state');
  const events = await readListFile(files.events, 'events', ReplanEvent, z.object({ events: z.array(ReplanEvent) }), 'list of events');
  const input: ReplanInput = { now, appointments: day.items, events: events.items };

  const problems = checkReplanInput(instance, input);
  if (problems.length === 0) return input;
  const locate = (path: string): string => {
    if (path === '$.now') return `--now ${now}`;
    const lists = [['appointments', files.dayState, day.bare], ['events', files.events, events.bare]] as const;
    for (const [key, file, bare] of lists)
      if (path.startsWith(`$.${key}[`)) return `${file} at ${bare ? `$${path.slice(key.length + 2)}` : path}`;
    return path;
  };
  const count = problems.length;
  const lines = problems.map((p) => `  ${locate(p.path)}: ${p.message}`).join('\n');
  throw new CliError(`the re-plan input does not fit the instance (${count} problem${count === 1 ? '' : 's'}):\n${lines}`);
}

/**
 * A bare array and the same array under its key (`{ "events": [...] }`, or a batch result's
 * `appointments`) are both accepted, so a problem's path is given in the file's own shape:
 * `$[2].appointmentId` in a bare array, `$.events[2].appointmentId` otherwise.
 */
async function readListFile<T>(
  file: string,
  key: string,
  item: z.ZodType<T>,
  wrapped: z.ZodType<Record<string, T[]>>,
  what: string,
): Promise<ListFile<T>> {
  const data = await readJsonFile(file);
  const bare = Array.isArray(data);
  const parsed = bare ? parseWith(z.array(item), data) : parseWith(wrapped, data);
  if (!parsed.ok) {
    // Same wording as readContractFile, so every bad input file reads alike.
    const count = parsed.problems.length;
    const indented = formatProblems(parsed.problems).replace(/^/gm, '  ');
    throw new CliError(`${file} is not a valid ${what} (${count} problem${count === 1 ? '' : 's'}):\n${indented}`);
  }
  return { items: bare ? (parsed.value as T[]) : (parsed.value as Record<string, T[]>)[key]!, bare };
}
