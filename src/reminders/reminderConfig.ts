// Reminders' settings from the environment, validated at start (a bad value stops the process naming the
// variable): what a worker serving the `reminders` queue needs (SMTP, the SMS/voice webhooks, the link
// secret and the address links point at, timeouts), and the two the API needs (the link secret, the sweep).
// A channel left unconfigured is off: its reminders are recorded as skipped, and the worker says so at start.
import { z } from 'zod';
import type { Problem } from '../contract/parse.js';
import { MIN_SECRET_BYTES } from '../auth/jwtSettings.js';
import { envInt, envProblems, envText } from '../runtime/envSchema.js';
import { reminderLinkSecretOf } from './linkTokens.js';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const Secret = z.string().refine((s) => Buffer.byteLength(s, 'utf8') >= MIN_SECRET_BYTES, `must be at least ${MIN_SECRET_BYTES} bytes (e.g. the output of: openssl rand -base64 48)`);

const HttpUrl = z.string().refine((s) => {
  try {
    const url = new URL(s);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

/** `clinic@example.org` or `Lakeshore Clinic <clinic@example.org>`. */
const MailAddress = z.string().regex(/^(?:[^<>@]*<\s*[^\s@<>]+@[^\s@<>]+\s*>|[^\s@<>]+@[^\s@<>]+)$/, 'must be an address such as clinic@example.org or "Lakeshore Clinic <clinic@example.org>"');

/** Shared by the API and the workers: reminder links are signed by one and checked by the other. */
const LinkEnv = {
  NODE_ENV: optional(z.string()),
  /** Signs reminders' confirm/cancel links; unset: derived from MEDSCHED_JWT_SECRET (the same in every process). */
  MEDSCHED_REMINDER_LINK_SECRET: optional(Secret),
  MEDSCHED_JWT_SECRET: optional(z.string()),
  /** How long after a write its clinic-day's reminders are swept (the repair after a crash between a write and its scheduling). */
  MEDSCHED_REMINDER_SWEEP_SECONDS: envInt(1, 3_600, 60),
};

export const ReminderWorkerEnv = z.object({
  ...LinkEnv,
  SMTP_HOST: optional(z.string().regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/, 'must be a host name or address')),
  SMTP_PORT: envInt(1, 65_535, 587),
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. Default: true on port 465. */
  SMTP_SECURE: optional(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }).transform((v) => v === 'true' || v === '1' || v === 'yes')),
  SMTP_USER: optional(z.string()),
  SMTP_PASSWORD: optional(z.string()),
  SMTP_FROM: optional(MailAddress),
  MEDSCHED_SMS_WEBHOOK_URL: optional(HttpUrl),
  MEDSCHED_VOICE_WEBHOOK_URL: optional(HttpUrl),
  /** Signs every webhook request (X-Medsched-Signature). */
  MEDSCHED_WEBHOOK_SECRET: optional(Secret),
  /** Where the API is reached from a patient's phone or mail: the base of the confirm/cancel links. */
  MEDSCHED_PUBLIC_URL: envText(HttpUrl, 'http://127.0.0.1:3000'),
  /** The longest one delivery may take; a claim's lease is this plus a margin. */
  MEDSCHED_REMINDER_SEND_TIMEOUT_MS: envInt(200, 300_000, 30_000),
  MEDSCHED_REMINDERS_CONCURRENCY: envInt(1, 100, 4),
});

export type SmtpConfig = { host: string; port: number; secure: boolean; user?: string | undefined; password?: string | undefined; from: string };
export type WebhookConfig = { url: string; secret: string };

export type ReminderWorkerConfig = {
  smtp: SmtpConfig | null;
  sms: WebhookConfig | null;
  voice: WebhookConfig | null;
  linkSecret: Uint8Array;
  publicUrl: string;
  sendTimeoutMs: number;
  /** A claim outlasts the longest send by this much (the time to record it as sent). */
  leaseMs: number;
  concurrency: number;
  sweepDelayMs: number;
};

const LEASE_MARGIN_MS = 2_000;

/** `sends`: the worker serves the `reminders` queue (it signs links); one that only books needs no link secret. */
export function loadReminderWorkerConfig(
  env: Record<string, string | undefined>,
  sends = true,
): { ok: true; config: ReminderWorkerConfig } | { ok: false; problems: Problem[] } {
  const parsed = ReminderWorkerEnv.safeParse(env);
  if (!parsed.success) return { ok: false, problems: envProblems(parsed.error) };
  const e = parsed.data;
  const problems: Problem[] = [];
  if (e.SMTP_HOST === undefined)
    for (const name of ['SMTP_FROM', 'SMTP_USER', 'SMTP_PASSWORD'] as const)
      if (e[name] !== undefined) problems.push({ path: name, message: 'needs SMTP_HOST (the SMTP server) beside it' });
  if (e.SMTP_HOST !== undefined && e.SMTP_FROM === undefined) problems.push({ path: 'SMTP_FROM', message: 'is required with SMTP_HOST: the sender of reminder e-mails' });
  if (e.SMTP_PASSWORD !== undefined && e.SMTP_USER === undefined) problems.push({ path: 'SMTP_USER', message: 'is required with SMTP_PASSWORD' });
  if ((e.MEDSCHED_SMS_WEBHOOK_URL !== undefined || e.MEDSCHED_VOICE_WEBHOOK_URL !== undefined) && e.MEDSCHED_WEBHOOK_SECRET === undefined)
    problems.push({ path: 'MEDSCHED_WEBHOOK_SECRET', message: 'is required with a webhook URL: it signs every request (X-Medsched-Signature)' });
  const production = e.NODE_ENV === 'production';
  const linkSecret = reminderLinkSecretOf(e.MEDSCHED_REMINDER_LINK_SECRET, e.MEDSCHED_JWT_SECRET ?? null, production) ?? (sends ? null : new Uint8Array());
  if (linkSecret === null)
    problems.push({ path: 'MEDSCHED_REMINDER_LINK_SECRET', message: 'is required in production (or MEDSCHED_JWT_SECRET, as the API has it): it signs the confirm/cancel links' });
  if (problems.length > 0 || linkSecret === null) return { ok: false, problems };
  const hook = (url: string | undefined) => (url !== undefined ? { url, secret: e.MEDSCHED_WEBHOOK_SECRET! } : null);
  return {
    ok: true,
    config: {
      smtp:
        e.SMTP_HOST !== undefined
          ? { host: e.SMTP_HOST, port: e.SMTP_PORT, secure: e.SMTP_SECURE ?? e.SMTP_PORT === 465, user: e.SMTP_USER, password: e.SMTP_PASSWORD, from: e.SMTP_FROM! }
          : null,
      sms: hook(e.MEDSCHED_SMS_WEBHOOK_URL),
      voice: hook(e.MEDSCHED_VOICE_WEBHOOK_URL),
      linkSecret,
      publicUrl: e.MEDSCHED_PUBLIC_URL.replace(/\/+$/, ''),
      sendTimeoutMs: e.MEDSCHED_REMINDER_SEND_TIMEOUT_MS,
      leaseMs: e.MEDSCHED_REMINDER_SEND_TIMEOUT_MS + LEASE_MARGIN_MS,
      concurrency: e.MEDSCHED_REMINDERS_CONCURRENCY,
      sweepDelayMs: e.MEDSCHED_REMINDER_SWEEP_SECONDS * 1000,
    },
  };
}

/** The API's part: spread into its environment schema (src/api/config.ts). */
export const ReminderApiEnv = {
  MEDSCHED_REMINDER_LINK_SECRET: LinkEnv.MEDSCHED_REMINDER_LINK_SECRET,
  MEDSCHED_REMINDER_SWEEP_SECONDS: LinkEnv.MEDSCHED_REMINDER_SWEEP_SECONDS,
};

export type ReminderApiConfig = {
  /** Null: no secret to check links with (production with only an identity provider's public key); the links answer 401. */
  linkSecret: Uint8Array | null;
  sweepDelayMs: number;
};

export function reminderApiConfigOf(
  e: { MEDSCHED_REMINDER_LINK_SECRET?: string | undefined; MEDSCHED_REMINDER_SWEEP_SECONDS: number },
  jwtSecret: Uint8Array | null,
): ReminderApiConfig {
  // The API's JWT secret is the development one only off production (jwtSettings.ts), so no fallback here.
  return { linkSecret: reminderLinkSecretOf(e.MEDSCHED_REMINDER_LINK_SECRET, jwtSecret, true), sweepDelayMs: e.MEDSCHED_REMINDER_SWEEP_SECONDS * 1000 };
}
