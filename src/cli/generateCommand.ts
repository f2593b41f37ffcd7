import { formatProblems, parseInstance } from '../contract/parse.js';
import { isValidTimeZone } from '../domain/time.js';
import { generateClinic } from '../generate/generateClinic.js';
import { numberOption, parseCommandArgs } from './args.js';
import { EXIT, usageError } from './errors.js';
import type { Io } from './io.js';
import { writeJsonFile } from './readJsonFile.js';
import { COMMAND_USAGE } from './usage.js';

export async function generateCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('generate', args, {
    providers: { type: 'string' },
    seed: { type: 'string' },
    load: { type: 'string' },
    overbooking: { type: 'string' },
    date: { type: 'string' },
    timezone: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.out(`${COMMAND_USAGE.generate}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw usageError(`generate: unexpected argument '${positionals[0]}'`);
  if (values.providers === undefined) throw usageError('generate: --providers N is required');
  if (values.seed === undefined) throw usageError('generate: --seed S is required');
  const providers = numberOption('generate', 'providers', values.providers, { integer: true, min: 1 });
  const seed = numberOption('generate', 'seed', values.seed, { integer: true });
  const load = values.load === undefined ? undefined : numberOption('generate', 'load', values.load, { min: 0 });
  const overbooking = values.overbooking === undefined ? undefined : numberOption('generate', 'overbooking', values.overbooking, { min: 1, max: 2 });
  if (values.date !== undefined && !isCalendarDate(values.date))
    throw usageError(`generate: --date must be a date like 2026-11-23, got '${values.date}'`);
  if (values.timezone !== undefined && !isValidTimeZone(values.timezone))
    throw usageError(`generate: --timezone must be an IANA time zone such as America/Chicago, got '${values.timezone}'`);

  let instance;
  try {
    instance = generateClinic({
      ...(overbooking !== undefined ? { overbooking } : {}),
      providers,
      seed,
      ...(load !== undefined ? { load } : {}),
      ...(values.date !== undefined ? { date: values.date } : {}),
      ...(values.timezone !== undefined ? { timezone: values.timezone } : {}),
    });
  } catch (error) {
    // The generator rejects options it cannot honour with a RangeError: that is bad usage.
    if (error instanceof RangeError) throw usageError(`generate: ${error.message}`);
    throw error;
  }
  // A generator that breaks the contract is a bug, not bad input.
  const parsed = parseInstance(instance);
  if (!parsed.ok) throw new Error(`the generated instance breaks the contract:\n${formatProblems(parsed.problems)}`);

  if (values.out === undefined) io.out(`${JSON.stringify(instance, null, 2)}\n`);
  else {
    await writeJsonFile(values.out, instance);
    io.err(`wrote ${values.out}: ${parsed.value.providers.length} providers, ${parsed.value.requests.length} requests\n`);
  }
  return EXIT.ok;
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}
