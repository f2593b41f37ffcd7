// Polls until a probe yields a value, failing after a deadline with what it waited for and, to find
// out why, whatever the caller's processes printed.
export async function until<T>(what: string, probe: () => Promise<T | undefined>, options: { timeoutMs?: number; context?: () => string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 40_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${options.context ? `\n${options.context()}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
