#!/usr/bin/env node
// The medsched command line: dispatches to one module per command, loaded on demand.
import { CliError, EXIT } from './errors.js';
import { processIo, type Io } from './io.js';
import { COMMAND_USAGE, USAGE, type CommandName } from './usage.js';

type Command = (args: string[], io: Io) => Promise<number>;

const COMMANDS: Record<Exclude<CommandName, 'help'>, () => Promise<Command>> = {
  optimize: async () => (await import('./optimizeCommand.js')).optimizeCommand,
  replan: async () => (await import('./replanCommand.js')).replanCommand,
  simulate: async () => (await import('./simulateCommand.js')).simulateCommand,
  validate: async () => (await import('./validateCommand.js')).validateCommand,
  schema: async () => (await import('./schemaCommand.js')).schemaCommand,
  generate: async () => (await import('./generateCommand.js')).generateCommand,
  audit: async () => (await import('./auditCommand.js')).auditCommand,
  token: async () => (await import('./tokenCommand.js')).tokenCommand,
  apikey: async () => (await import('./apikeyCommand.js')).apikeyCommand,
};

const isCommand = (name: string): name is keyof typeof COMMANDS => Object.hasOwn(COMMANDS, name);

async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...args] = argv;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      const topic = args[0];
      io.out(topic !== undefined && Object.hasOwn(COMMAND_USAGE, topic) ? `${COMMAND_USAGE[topic as CommandName]}\n` : USAGE);
      return EXIT.ok;
    }
    if (!isCommand(name)) {
      io.err(`medsched: unknown command '${name}'\n\n${USAGE}`);
      return EXIT.usage;
    }
    const command = await COMMANDS[name]();
    return await command(args, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`medsched: ${error.message}\n`);
      if (error.showUsageHint) io.err(`run 'medsched help' for usage\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`internal error: ${message.trim().replace(/\s*\n\s*/g, '; ')}\n`);
    if (process.env.MEDSCHED_DEBUG && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
    return EXIT.internal;
  }
}

process.exitCode = await main(process.argv.slice(2));
