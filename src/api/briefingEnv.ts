// The environment variables of daily briefings: the secret that signs calendar subscription links (by
// default derived from the JWT secret), the address the links name, and how far ahead a feed reaches.
import { z } from 'zod';
import { linkSecretOf } from '../auth/calendarLinks.js';
import { MIN_SECRET_BYTES } from '../auth/jwtSettings.js';
import { envInt, envText } from '../runtime/envSchema.js';

export const BriefingEnv = {
  /** Signs calendar subscription links; unset: derived from MEDSCHED_JWT_SECRET (rotating either ends every link). */
  MEDSCHED_FEED_SECRET: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .refine((s) => Buffer.byteLength(s, 'utf8') >= MIN_SECRET_BYTES, `must be at least ${MIN_SECRET_BYTES} bytes (e.g. the output of: openssl rand -base64 48)`)
      .optional(),
  ),
  /** The API's address as calendar apps reach it (https://sched.example.org); unset: the request's own host. */
  MEDSCHED_PUBLIC_URL: envText(
    z.string().refine((s) => {
      try {
        const url = new URL(s);
        return (url.protocol === 'https:' || url.protocol === 'http:') && url.search === '' && url.hash === '';
      } catch {
        return false;
      }
    }, 'must be an http(s) URL without query, e.g. https://sched.example.org'),
    '',
  ),
  /** Days a feed covers when its link names none. */
  FEED_DEFAULT_DAYS: envInt(1, 62, 14),
};

export type BriefingConfig = {
  /** Null: subscription links are off (no MEDSCHED_FEED_SECRET and no JWT secret to derive one from). */
  linkSecret: Uint8Array | null;
  publicUrl: string | null;
  feedDefaultDays: number;
};

type BriefingEnvValues = { MEDSCHED_FEED_SECRET?: string | undefined; MEDSCHED_PUBLIC_URL: string; FEED_DEFAULT_DAYS: number };

export function briefingConfigOf(e: BriefingEnvValues, jwtSecret: Uint8Array | null): BriefingConfig {
  return {
    linkSecret: linkSecretOf(e.MEDSCHED_FEED_SECRET, jwtSecret),
    publicUrl: e.MEDSCHED_PUBLIC_URL === '' ? null : e.MEDSCHED_PUBLIC_URL.replace(/\/+$/, ''),
    feedDefaultDays: e.FEED_DEFAULT_DAYS,
  };
}
