// Structured logs of a worker process: one JSON object a line on stdout (pino's shape: level, time, msg),
// so worker and API logs read alike in one collector.
const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
export type LogLevel = keyof typeof LEVELS;
export type Log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export function jsonLog(base: Record<string, unknown>, write: (line: string) => void = (line) => process.stdout.write(line)): Log {
  return (level, msg, fields = {}) => {
    const errorField = fields.err instanceof Error ? { err: { message: fields.err.message, name: fields.err.name } } : {};
    write(`${JSON.stringify({ level: LEVELS[level], time: Date.now(), ...base, ...fields, ...errorField, msg })}\n`);
  };
}
