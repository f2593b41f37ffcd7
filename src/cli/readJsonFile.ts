import { readFile, writeFile } from 'node:fs/promises';
import type { z } from 'zod';
import { formatProblems, parseWith } from '../contract/parse.js';
import { CliError } from './errors.js';

/** Reads and parses a JSON file; any failure is a CliError (exit 2) that names the file. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${describeFsError(error)}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`${file} is not valid JSON: ${withLineAndColumn(message, text)}`);
  }
}

/** Reads a JSON file and checks it against a contract schema; problems are listed path by path (exit 2). */
export async function readContractFile<S extends z.ZodType>(file: string, schema: S, what: string): Promise<z.infer<S>> {
  const parsed = parseWith(schema, await readJsonFile(file));
  if (parsed.ok) return parsed.value;
  const count = parsed.problems.length;
  const indented = formatProblems(parsed.problems).replace(/^/gm, '  ');
  throw new CliError(`${file} is not a valid ${what} (${count} problem${count === 1 ? '' : 's'}):\n${indented}`);
}

export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  try {
    await writeFile(file, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
  } catch (error) {
    throw new CliError(`cannot write ${file}: ${describeFsError(error)}`);
  }
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** Older V8 reports only "at position N": add the line and column a person can find. */
function withLineAndColumn(message: string, text: string): string {
  const match = /at position (\d+)/.exec(message);
  if (!match || /line \d+/.test(message)) return message;
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line} column ${column})`;
}
