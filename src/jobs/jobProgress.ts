// What a job reports while it runs (BullMQ job progress, relayed to GET and the event stream).
import { z } from 'zod';

const ProblemShape = z.object({ path: z.string(), message: z.string() });

export const JobProgress = z
  .discriminatedUnion('stage', [
    z.object({ stage: z.literal('loading') }),
    z.object({ stage: z.literal('waiting'), message: z.string() }),
    z.object({
      stage: z.literal('solving'),
      /** Best score so far (an optimization maximizes it; a re-plan reports its cost instead). */
      objective: z.number().optional(),
      bound: z.number().optional(),
      gap: z.number().optional(),
      elapsedMs: z.number(),
      scheduled: z.number().int().optional(),
      requests: z.number().int().optional(),
    }),
    z.object({ stage: z.literal('storing') }),
    /** A bulk booking batch: items handled so far. */
    z.object({ stage: z.literal('booking'), done: z.number().int(), total: z.number().int() }),
    z.object({ stage: z.literal('invalid'), message: z.string(), problems: z.array(ProblemShape) }),
  ])
  .meta({ id: 'JobProgress' });
export type JobProgress = z.infer<typeof JobProgress>;

/** Progress as read back from a job (anything else, e.g. a job of another version, reads as null). */
export function readProgress(value: unknown): JobProgress | null {
  const parsed = JobProgress.safeParse(value);
  return parsed.success ? parsed.data : null;
}
