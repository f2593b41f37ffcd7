import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export type Random = { int(min: number, max: number): number; pick<T>(items: readonly T[]): T; chance(p: number): boolean };

/** Seeded randomness for the search, so a seed reproduces a run. */
export function seededRandom(seed: number): Random {
  const rng = xoroshiro128plus(seed);
  // Nearby seeds start from nearby states: their first outputs nearly agree (seeds 1, 2, 3 drew 646, 645,
  // 644 of 1,000). A few discarded outputs spread them apart.
  for (let k = 0; k < 16; k++) rng.next();
  const int = (min: number, max: number) => uniformInt(rng, min, max);
  return {
    int,
    pick: (items) => items[int(0, items.length - 1)]!,
    chance: (p) => int(0, 999_999) < p * 1_000_000,
  };
}
