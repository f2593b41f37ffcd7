import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Instance } from '../contract/instance.js';
import { formatProblems, parseWith } from '../contract/parse.js';
import { OptimizationResult } from '../contract/result.js';
import { optimizeInThread } from '../runtime/optimizeInThread.js';
import { simulateDay } from '../simulate/simulateDay.js';
import { loadBackend } from '../../solver/backends/load.js';
import { firstFit } from '../../solver/firstFit.js';
import { expectPositionals, numberOption, parseCommandArgs } from './args.js';
import { checkReplan } from './checkReplan.js';
import { checkResult } from './checkResult.js';
import { CliError, EXIT } from './errors.js';
import { formatSimulation } from './formatSimulation.js';
import { formatScore, formatSeconds } from './formatSummary.js';
import type { Io } from './io.js';
import { startProgressReporter } from './progressReporter.js';
import { readContractFile, writeJsonFile } from './readJsonFile.js';
import { COMMAND_USAGE } from './usage.js';

export async function simulateCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('simulate', args, {
    seed: { type: 'string', default: '1' },
    'optimize-seconds': { type: 'string', default: '10' },
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.out(`${COMMAND_USAGE.simulate}\n`);
    return EXIT.ok;
  }
  const [file] = expectPositionals('simulate', positionals, ['INSTANCE']);
  const seed = numberOption('simulate', 'seed', values.seed, { integer: true });
  const timeLimitMs = 1000 * numberOption('simulate', 'optimize-seconds', values['optimize-seconds'], { exclusiveMin: 0 });
  if (values.out !== undefined) await assertWritableDirectory(values.out);

  const instance = await readContractFile(file!, Instance, 'instance');

  // The day is optimized first, as `optimize` does it (worker thread, hard deadline), with the same seed:
  // the run reproduces as far as a time-limited search does.
  const progress = startProgressReporter(io, { timeLimitMs });
  let outcome;
  try {
    outcome = await optimizeInThread(instance, { timeLimitMs, seed, backend: 'auto', onProgress: (p) => progress.update(p), fallback: firstFit });
  } finally {
    progress.stop();
  }
  const parsed = parseWith(OptimizationResult, outcome.result);
  if (!parsed.ok) {
    io.err(`the optimizer returned a malformed result:\n${formatProblems(parsed.problems).replace(/^/gm, '  ')}\n`);
    return EXIT.failed;
  }
  const day = parsed.value;
  const dayCheck = checkResult(instance, day);
  if (dayCheck.problems.length > 0) {
    io.err(`${dayCheck.problems.join('\n')}\nthe optimized day breaks ${count(dayCheck.problems.length, 'rule')} of the contract; nothing was simulated\n`);
    return EXIT.failed;
  }
  if (day.status === 'infeasible' || day.status === 'no-solution') {
    io.err(`no schedule: the optimizer reports status '${day.status}'; nothing was simulated\n`);
    return EXIT.failed;
  }
  io.err(
    `optimized: ${day.appointments.length}/${instance.requests.length} requests scheduled, score ${formatScore(day.objective)}, ` +
      `in ${formatSeconds(outcome.elapsedMs)}; simulating the day (seed ${seed})\n`,
  );

  // Every re-plan we would act on is checked like `replan` checks it; the baseline is only compared with.
  const backend = await loadBackend('auto');
  const problems: string[] = [];
  const report = simulateDay(instance, day.appointments, {
    seed,
    backend,
    clock: Date.now,
    onReplan: ({ track, instance: known, input, result }) => {
      if (track !== 'ours') return;
      problems.push(...checkReplan(known, input, result).problems.map((p) => `re-plan at ${input.now}: ${p}`));
    },
  });
  if (problems.length > 0) {
    io.err(`${problems.join('\n')}\nthe simulated re-plans break ${count(problems.length, 'rule')}; the report was not written\n`);
    return EXIT.failed;
  }

  if (values.out !== undefined) await writeJsonFile(values.out, report);
  if (values.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else io.out(formatSimulation(instance, report));
  if (values.out !== undefined && !values.json) io.err(`wrote ${values.out}\n`);
  return EXIT.ok;
}

/** Fail before a long run, not after it, when --out cannot be written. */
async function assertWritableDirectory(file: string): Promise<void> {
  try {
    await access(dirname(file), constants.W_OK);
  } catch {
    throw new CliError(`cannot write ${file}: its directory does not exist or is not writable`);
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
