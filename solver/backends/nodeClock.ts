/**
 * javascript-lp-solver has a timeout but no node limit: its branch and bound reads `Date.now()` once when
 * it starts and once per node, and stops when the reading passes start + timeout. While `run` is running
 * (synchronously, so nothing else in this thread sees it), `Date.now` becomes a counter that moves one
 * "millisecond" per read, which turns `timeout: nodeLimit` into a node limit: the same nodes on any
 * machine. The caller's clock (the solver reads none of its own) stays a safety net: past `safetyMs` the
 * counter jumps far ahead, so a pathological model still stops (that one solve is then not reproducible).
 * Without a clock there is no safety net, only the node limit.
 */
export function withNodeClock<T>(safetyMs: number, clock: (() => number) | undefined, run: () => T): T {
  const realNow = Date.now;
  const began = clock?.() ?? 0;
  let reads = 0;
  const counting = () => (clock && elapsed() > safetyMs ? Infinity : reads++);
  // The caller's clock may itself be Date.now: it reads the real one.
  const elapsed = () => {
    Date.now = realNow;
    try {
      return clock!() - began;
    } finally {
      Date.now = counting;
    }
  };
  Date.now = counting;
  try {
    return run();
  } finally {
    Date.now = realNow;
  }
}
