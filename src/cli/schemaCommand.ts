import { z } from 'zod';
import { Instance } from '../contract/instance.js';
import { parseCommandArgs } from './args.js';
import { EXIT, usageError } from './errors.js';
import type { Io } from './io.js';
import { COMMAND_USAGE } from './usage.js';

/** The JSON Schema of an instance as a client writes it: fields with defaults are optional. */
export function instanceJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(Instance, { io: 'input' }) as Record<string, unknown>;
  return {
    $schema,
    title: 'medsched instance',
    description:
      'Input of a batch optimization (contract version 1). Instants are RFC 3339 date-times with an explicit offset; ' +
      'cross-field rules (references, the slot grid, weights) are checked by medsched itself.',
    ...rest,
  };
}

export async function schemaCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('schema', args, {
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.out(`${COMMAND_USAGE.schema}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw usageError(`schema: unexpected argument '${positionals[0]}'`);
  io.out(`${JSON.stringify(instanceJsonSchema(), null, 2)}\n`);
  return EXIT.ok;
}
