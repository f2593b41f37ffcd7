/** A candidate place: which provider (null: none needed), when (slot numbers), in ranking order. */
export type Spread = { provider: string | null; start: number; end: number };

/**
 * Picks up to k of the candidates (given best first, at most one per provider and start) so that a
 * front desk gets real choices, not the same minute k times over:
 *   1. the best candidate is always taken;
 *   2. two options with the same provider never overlap in time (a second time with a provider is at
 *      least one visit length away from the first);
 *   3. at most ⌈k/2⌉ options share a start, so the rest offer other times.
 * Rules 2 and 3 give way when they would leave fewer than k options: the remaining places are then
 * filled best first. `ok` is asked lazily, in ranking order, at most once per candidate (it is the
 * costly feasibility test).
 * Returns the picked candidates in ranking order.
 */
export function pickDiverse<C extends Spread>(ranked: readonly C[], k: number, ok: (c: C) => boolean): C[] {
  const picked = new Set<number>();
  const perStart = new Map<number, number>();
  const sameStartCap = Math.ceil(k / 2);
  const known = new Map<number, boolean>();
  const okAt = (i: number) => known.get(i) ?? known.set(i, ok(ranked[i]!)).get(i)!;
  const take = (i: number) => {
    picked.add(i);
    perStart.set(ranked[i]!.start, (perStart.get(ranked[i]!.start) ?? 0) + 1);
  };
  const clashes = (c: C) =>
    (perStart.get(c.start) ?? 0) >= sameStartCap ||
    [...picked].some((j) => ranked[j]!.provider === c.provider && ranked[j]!.start < c.end && c.start < ranked[j]!.end);

  for (let i = 0; i < ranked.length && picked.size < k; i++) if (!clashes(ranked[i]!) && okAt(i)) take(i);
  for (let i = 0; i < ranked.length && picked.size < k; i++) if (!picked.has(i) && okAt(i)) take(i);
  return [...picked].sort((a, b) => a - b).map((i) => ranked[i]!);
}
