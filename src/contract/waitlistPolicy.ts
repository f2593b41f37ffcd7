import { z } from 'zod';
import { PositiveMinutes } from './primitives.js';

/**
 * How a clinic offers a freed place to its waitlist (an extension on `clinic`, optional): who comes first
 * (first-come: who joined first; urgency: emergency, urgent, routine, then who joined first) and how long
 * an offer holds the place before it passes to the next in line.
 */
export const WaitlistPolicy = z.object({
  order: z.enum(['first-come', 'urgency']).default('first-come'),
  offerMinutes: PositiveMinutes.max(10_080, 'must be at most a week (10080 minutes)').default(30),
});
export type WaitlistPolicy = z.infer<typeof WaitlistPolicy>;

export const DEFAULT_WAITLIST_POLICY: WaitlistPolicy = { order: 'first-come', offerMinutes: 30 };
