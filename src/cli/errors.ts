/** Exit codes of the medsched command line. */
export const EXIT = {
  ok: 0,
  /** The result is invalid, or the input has no schedule. */
  failed: 1,
  /** Bad usage or bad input. */
  usage: 2,
  /** A bug: an unexpected internal error. */
  internal: 3,
} as const;

/** A problem the user can fix (bad arguments, unreadable or invalid input): printed as is, never with a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    /** Append a pointer to the usage text. */
    readonly showUsageHint = false,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(message, EXIT.usage, true);
