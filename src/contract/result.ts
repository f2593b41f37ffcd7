import { z } from 'zod';
import { Appointment } from './appointment.js';
import { Id } from './primitives.js';

export const ResultStatus = z.enum(['optimal', 'feasible', 'infeasible', 'no-solution']);
export type ResultStatus = z.infer<typeof ResultStatus>;

export const Unscheduled = z.object({ requestId: Id, reasons: z.array(z.string().min(1)).min(1) });
export type Unscheduled = z.infer<typeof Unscheduled>;

export const OptimizationResult = z.object({
  status: ResultStatus,
  objective: z.number(),
  bound: z.number(),
  gap: z.number().min(0),
  solveMs: z.number().min(0),
  appointments: z.array(Appointment),
  unscheduled: z.array(Unscheduled),
  // Extension (optional): how the result was reached, for the bench and the CLI.
  stats: z
    .object({
      backend: z.string(),
      seed: z.number().int(),
      iterations: z.number().int(),
      improvingMoves: z.number().int(),
      boundMethod: z.string(),
    })
    .partial()
    .optional(),
});
export type OptimizationResult = z.infer<typeof OptimizationResult>;
