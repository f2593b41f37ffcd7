import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs in strict mode, with its errors turned into usage errors (exit 2). */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw usageError(`${command}: ${message.replace(/\. To specify a positional argument.*$/s, '')}`);
  }
}

export function expectPositionals(command: string, positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length)
    throw usageError(`${command}: missing ${names.slice(positionals.length).join(' and ')}`);
  if (positionals.length > names.length)
    throw usageError(`${command}: unexpected argument '${positionals[names.length]}'`);
  return positionals;
}

export function numberOption(command: string, name: string, text: string, check: { integer?: boolean; min?: number; max?: number; exclusiveMin?: number }): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const kind = check.integer ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (check.integer && !Number.isSafeInteger(value)))
    throw usageError(`${command}: --${name} must be ${kind}, got '${text}'`);
  if (check.min !== undefined && value < check.min)
    throw usageError(`${command}: --${name} must be at least ${check.min}, got ${text}`);
  if (check.max !== undefined && value > check.max)
    throw usageError(`${command}: --${name} must be at most ${check.max}, got ${text}`);
  if (check.exclusiveMin !== undefined && value <= check.exclusiveMin)
    throw usageError(`${command}: --${name} must be more than ${check.exclusiveMin}, got ${text}`);
  return value;
}
