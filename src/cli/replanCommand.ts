import { Instance } from '../contract/instance.js';
import { formatProblems, parseWith } from '../contract/parse.js';
import { ReplanResult } from '../contract/replan.js';
import { BACKEND_NAMES, loadBackend, type BackendName } from '../../solver/backends/load.js';
import { replanDay } from '../../solver/replan/replanDay.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import { checkReplan } from './checkReplan.js';
import { EXIT, usageError } from './errors.js';
import { formatReplan } from './formatReplan.js';
import type { Io } from './io.js';
import { readContractFile, writeJsonFile } from './readJsonFile.js';
import { parseNow, readReplanInput } from './readReplanInput.js';
import { COMMAND_USAGE } from './usage.js';

export async function replanCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('replan', args, {
    now: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.out(`${COMMAND_USAGE.replan}\n`);
    return EXIT.ok;
  }
  const [instanceFile, dayStateFile, eventsFile] = expectPositionals('replan', positionals, ['INSTANCE', 'DAYSTATE', 'EVENTS']);
  const now = parseNow(values.now);
  const backendName = values.backend as BackendName;
  if (!BACKEND_NAMES.includes(backendName))
    throw usageError(`replan: --backend must be one of ${BACKEND_NAMES.join(', ')}, got '${values.backend}'`);

  const instance = await readContractFile(instanceFile!, Instance, 'instance');
  const input = await readReplanInput(instance, { dayState: dayStateFile!, events: eventsFile! }, now);

  // A re-plan is one small exact solve, so it runs here rather than in a worker thread.
  const backend = await loadBackend(backendName);
  const raw = replanDay(instance, input, { backend, clock: Date.now });

  const parsed = parseWith(ReplanResult, raw);
  if (!parsed.ok) {
    io.err(`the re-planner returned a malformed result:\n${formatProblems(parsed.problems).replace(/^/gm, '  ')}\n`);
    return EXIT.failed;
  }
  const result = parsed.value;
  const check = checkReplan(instance, input, result);
  if (check.problems.length > 0) {
    io.err(`${check.problems.join('\n')}\n`);
    io.err(`the re-plan breaks ${check.problems.length} rule${check.problems.length === 1 ? '' : 's'}; it was not written\n`);
    return EXIT.failed;
  }

  if (values.out !== undefined) await writeJsonFile(values.out, result);
  if (values.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
  else io.out(formatReplan(instance, input, result));
  if (values.out !== undefined && !values.json) io.err(`wrote ${values.out}\n`);

  if (result.status === 'infeasible' || result.status === 'no-solution') {
    io.err(`no plan: the re-planner reports status '${result.status}'\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
