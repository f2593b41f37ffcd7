/**
 * javascript-lp-solver has a timeout but no node limit: its branch and bound reads `Date.now()` once when
 * it starts and once per node, and stops when the reading passes start + timeout. While `run` is running
 * (synchronously, so nothing else in this thread sees it), `Date.now` becomes a counter that moves one
 * "millisecond" per read, which turns `timeout: nodeLimit` into a node limit: the same nodes on any
 * machine. The real clock stays a safety net: past `safetyMs` the counter jumps far ahead, so a
 * pathological model still stops (that one solve is then not reproducible).
 */
export function withNodeClock<T>(safetyMs: number, run: () => T): T {
  const realNow = Date.now;
  const began = performance.now();
  let reads = 0;
  Date.now = () => (performance.now() - began > safetyMs ? Infinity : reads++);
  try {
    return run();
  } finally {
    Date.now = realNow;
  }
}
