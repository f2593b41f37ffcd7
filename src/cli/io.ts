/** Where a command writes; injected so commands stay testable. */
export type Io = {
  out: (text: string) => void;
  err: (text: string) => void;
  /** stderr is an interactive terminal (progress lines may overwrite themselves with \r). */
  errIsTTY: boolean;
};

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  errIsTTY: process.stderr.isTTY === true,
};
