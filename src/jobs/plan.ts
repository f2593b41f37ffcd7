// A plan: what an optimization or re-plan proposes for one clinic-day, with the schedule version it was
// computed from (it applies only onto that version) and its difference from the schedule it read.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Appointment } from '../contract/appointment.js';
import { Id, Instant } from '../contract/primitives.js';
import { ReplanResult } from '../contract/replan.js';
import { OptimizationResult } from '../contract/result.js';
import type { RedisClient } from '../store/redisClient.js';
import { LocalDate } from './jobIds.js';
import { jobKeys } from './jobKeys.js';
import { ScheduleDiff } from './scheduleDiff.js';

export const Plan = z
  .object({
    /** New for every run, so a client can tell a re-run's plan from the one it looked at. */
    planId: z.string(),
    jobId: z.string(),
    kind: z.enum(['optimize', 'replan']),
    clinicId: Id,
    date: LocalDate,
    /** The date's schedule version the job read; apply succeeds only while it is still current. */
    readVersion: z.number().int(),
    /** When the run began its work (a re-plan: when it took up its disruption set). */
    startedAt: Instant,
    createdAt: Instant,
    /** The date's live appointments after the plan (what apply writes). */
    appointments: z.array(Appointment),
    /** Visits under way that an overrun makes longer (a re-plan): apply writes their new end. */
    extended: z.array(Appointment).optional(),
    /** Live visits a cancellation or no-show event ended (a re-plan): apply records that status. */
    ended: z.array(Appointment).optional(),
    diff: ScheduleDiff,
    result: z.union([OptimizationResult, ReplanResult]),
    /**
     * An overbooking clinic's plan: the no-show estimates it was made with, by request id. Apply claims
     * each visit's expected load with them, so the store holds the pairs the plan made, no more.
     */
    noShowProbabilities: z.record(z.string(), z.number().min(0).max(1)).optional(),
    /** The disruption set a re-plan worked on. */
    eventsId: z.string().optional(),
    applied: z.object({ version: z.number().int(), at: Instant, by: z.string() }).optional(),
  })
  .meta({ id: 'Plan' });
export type Plan = z.infer<typeof Plan>;

export const newPlanId = () => randomUUID();

export async function savePlan(redis: RedisClient, prefix: string, plan: Plan): Promise<void> {
  await redis.hset(jobKeys(prefix, plan.clinicId).plans, plan.jobId, JSON.stringify(plan));
}

export async function loadPlan(redis: RedisClient, prefix: string, clinicId: string, jobId: string): Promise<Plan | null> {
  const text = await redis.hget(jobKeys(prefix, clinicId).plans, jobId);
  if (text === null) return null;
  const parsed = Plan.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

/** A re-run of the same job id starts without the previous run's plan. */
export async function deletePlan(redis: RedisClient, prefix: string, clinicId: string, jobId: string): Promise<void> {
  await redis.hdel(jobKeys(prefix, clinicId).plans, jobId);
}
