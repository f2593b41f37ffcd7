import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Instance } from '../contract/instance.js';
import { formatProblems, parseWith } from '../contract/parse.js';
import { OptimizationResult } from '../contract/result.js';
import { BACKEND_NAMES, type BackendName } from '../runtime/messages.js';
import { DEFAULT_GRACE_MS, optimizeInThread } from '../runtime/optimizeInThread.js';
import { firstFit } from '../../solver/firstFit.js';
import { expectPositionals, numberOption, parseCommandArgs } from './args.js';
import { checkResult } from './checkResult.js';
import { CliError, EXIT, usageError } from './errors.js';
import { formatSeconds, formatSummary } from './formatSummary.js';
import type { Io } from './io.js';
import { startProgressReporter } from './progressReporter.js';
import { readContractFile, writeJsonFile } from './readJsonFile.js';
import { COMMAND_USAGE } from './usage.js';

export async function optimizeCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('optimize', args, {
    'time-limit': { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    'max-rounds': { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.out(`${COMMAND_USAGE.optimize}\n`);
    return EXIT.ok;
  }
  const [file] = expectPositionals('optimize', positionals, ['INSTANCE']);
  const timeLimitMs = 1000 * numberOption('optimize', 'time-limit', values['time-limit'], { exclusiveMin: 0 });
  const seed = numberOption('optimize', 'seed', values.seed, { integer: true });
  const maxRounds =
    values['max-rounds'] === undefined ? undefined : numberOption('optimize', 'max-rounds', values['max-rounds'], { integer: true, exclusiveMin: 0 });
  const backend = values.backend as BackendName;
  if (!BACKEND_NAMES.includes(backend))
    throw usageError(`optimize: --backend must be one of ${BACKEND_NAMES.join(', ')}, got '${values.backend}'`);
  if (values.out !== undefined) await assertWritableDirectory(values.out);

  const instance = await readContractFile(file!, Instance, 'instance');

  const progress = startProgressReporter(io, { timeLimitMs });
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(130);
    io.err(`${io.errIsTTY ? '\n' : ''}interrupted: stopping the optimizer and keeping its best schedule (press Ctrl-C again to quit)\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  let outcome;
  try {
    outcome = await optimizeInThread(instance, {
      timeLimitMs,
      seed,
      ...(maxRounds !== undefined ? { maxRounds } : {}),
      backend,
      onProgress: (p) => progress.update(p),
      signal: interrupt.signal,
      fallback: firstFit,
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress.stop();
  }

  if (outcome.stopped) {
    const why =
      outcome.stopped === 'deadline'
        ? `the optimizer was still running ${formatSeconds(DEFAULT_GRACE_MS)} past the time limit, so it was stopped`
        : 'the optimizer was interrupted';
    const kept = outcome.usedFallback
      ? 'it had reported no schedule yet, so this is the first-fit schedule'
      : 'this is the best schedule it had found';
    io.err(`${why} after ${formatSeconds(outcome.elapsedMs)}; ${kept}\n`);
  }

  const parsed = parseWith(OptimizationResult, outcome.result);
  if (!parsed.ok) {
    io.err(`the optimizer returned a malformed result:\n${formatProblems(parsed.problems).replace(/^/gm, '  ')}\n`);
    return EXIT.failed;
  }
  const result = parsed.value;
  const check = checkResult(instance, result);
  if (check.problems.length > 0) {
    io.err(`${check.problems.join('\n')}\n`);
    io.err(`the optimizer's result breaks ${check.problems.length} rule${check.problems.length === 1 ? '' : 's'} of the contract; it was not written\n`);
    return EXIT.failed;
  }

  if (values.out !== undefined) await writeJsonFile(values.out, result);
  if (values.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
  else io.out(formatSummary(instance, result, { elapsedMs: outcome.elapsedMs }));
  if (values.out !== undefined && !values.json) io.err(`wrote ${values.out}\n`);

  if (result.status === 'infeasible' || result.status === 'no-solution') {
    io.err(`no schedule: the optimizer reports status '${result.status}'\n`);
    return EXIT.failed;
  }
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
