// Constraint 2: duration, the request's window, the grid, the horizon.
import { MINUTE_MS } from '../domain/time.js';
import type { Context, Placed } from './context.js';

export function checkTiming(ctx: Context): void {
  for (const p of ctx.placed) {
    checkDuration(ctx, p);
    checkGrid(ctx, p);
    checkStartBounds(ctx, p);
    checkEndBounds(ctx, p);
  }
}

/** request.minutes, else the service's; a booking-only demand keeps its booked length. */
function requiredMinutes(p: Placed): number | undefined {
  return p.demand?.minutes ?? p.service?.minutes;
}

function checkDuration(ctx: Context, p: Placed): void {
  const minutes = requiredMinutes(p);
  if (minutes === undefined) {
    if (p.end <= p.start) ctx.report(2, [p.index, 'end'], `${ctx.label(p)} ends at ${ctx.time(p.end)}, not after it starts`);
    return;
  }
  const expected = p.start + minutes * MINUTE_MS;
  if (p.end !== expected)
    ctx.report(
      2,
      [p.index, 'end'],
      `request '${p.appt.requestId}' starts at ${ctx.time(p.start)} and lasts ${minutes} min, so it must end at ${ctx.time(expected)}, not ${ctx.time(p.end)}`,
    );
}

function checkGrid(ctx: Context, p: Placed): void {
  if ((p.start - ctx.horizon.start) % ctx.slotMs !== 0)
    ctx.report(
      2,
      [p.index, 'start'],
      `${ctx.label(p)} starts off the ${ctx.instance.slotMinutes}-minute grid that begins at ${ctx.time(ctx.horizon.start)}`,
    );
}

// The horizon is checked first: a request's window defaults to it, and one message is enough.
function checkStartBounds(ctx: Context, p: Placed): void {
  const path = [p.index, 'start'];
  if (p.start < ctx.horizon.start)
    ctx.report(2, path, `${ctx.label(p)} starts before the planning horizon begins at ${ctx.time(ctx.horizon.start)}`);
  else if (p.start >= ctx.horizon.end)
    ctx.report(2, path, `${ctx.label(p)} starts after the planning horizon ends at ${ctx.time(ctx.horizon.end)}`);
  else if (p.demand && p.start < p.demand.earliestStart)
    ctx.report(2, path, `${ctx.label(p)} starts before the request's earliest start ${ctx.time(p.demand.earliestStart)}`);
}

function checkEndBounds(ctx: Context, p: Placed): void {
  const path = [p.index, 'end'];
  if (p.end > ctx.horizon.end)
    ctx.report(2, path, `${ctx.label(p)} ends after the planning horizon ends at ${ctx.time(ctx.horizon.end)}`);
  else if (p.demand && p.end > p.demand.latestEnd)
    ctx.report(2, path, `${ctx.label(p)} ends after the request's latest end ${ctx.time(p.demand.latestEnd)}`);
}
