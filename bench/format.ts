// Number formatting for the report.

export const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}`;
export const percent = (fraction: number, digits = 2) => `${fixed(100 * fraction, digits)}%`;
/** `+9.2%`: how much more `value` is than `base`. */
export const change = (value: number, base: number) => {
  if (base === 0) return 'n/a';
  const pct = 100 * (value / base - 1);
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
};
/** `1.052x`: value ÷ base. */
export const ratio = (value: number, base: number) => (base === 0 ? 'n/a' : `${(value / base).toFixed(3)}x`);
