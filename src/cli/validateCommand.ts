import { Instance } from '../contract/instance.js';
import { OptimizationResult } from '../contract/result.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import { checkResult } from './checkResult.js';
import { EXIT } from './errors.js';
import { formatScore } from './formatSummary.js';
import type { Io } from './io.js';
import { readContractFile } from './readJsonFile.js';
import { COMMAND_USAGE } from './usage.js';

export async function validateCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('validate', args, {
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.out(`${COMMAND_USAGE.validate}\n`);
    return EXIT.ok;
  }
  const [instanceFile, resultFile] = expectPositionals('validate', positionals, ['INSTANCE', 'RESULT']);
  const instance = await readContractFile(instanceFile!, Instance, 'instance');
  const result = await readContractFile(resultFile!, OptimizationResult, 'optimization result');

  const { problems, score, scheduled } = checkResult(instance, result);
  const numbers = `score ${formatScore(score)}, ${scheduled}/${instance.requests.length} requests scheduled`;
  if (problems.length === 0) {
    io.out(`valid: ${numbers}\n`);
    return EXIT.ok;
  }
  io.out(`${problems.join('\n')}\n`);
  io.out(`invalid: ${problems.length} problem${problems.length === 1 ? '' : 's'}; ${numbers}\n`);
  return EXIT.failed;
}
