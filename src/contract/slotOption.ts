import { z } from 'zod';
import { Id, Instant } from './primitives.js';

/** One bookable place for a request, as slot search offers it (POST /clinics/{id}/slots/search). */
export const SlotOption = z
  .object({
    providerId: Id.nullable().describe('null when the service needs no provider'),
    roomId: Id,
    start: Instant.describe('RFC 3339 in the clinic time zone'),
    end: Instant,
    staff: z.array(z.object({ staffId: Id, skill: Id, start: Instant, end: Instant })),
    equipment: z.array(z.object({ id: Id, count: z.number().int().positive() })),
    score: z.number().describe("the batch objective's value of this placement (urgency + preferred-provider bonus - wait)"),
    rank: z.number().int().positive().describe('1 is the best'),
  })
  .meta({ id: 'SlotOption' });
export type SlotOption = z.infer<typeof SlotOption>;

export const SlotSearchResult = z
  .object({
    options: z.array(SlotOption).describe('the best options first; empty when none exists'),
    reasons: z.array(z.string()).describe('when there is no option: the constraints that block the request, in plain words'),
  })
  .meta({ id: 'SlotSearchResult' });
export type SlotSearchResult = z.infer<typeof SlotSearchResult>;
