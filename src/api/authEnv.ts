// The environment variables of authentication and access: the JWT settings (src/auth/jwtSettings.ts) and
// what the integration role may do (MEDSCHED_INTEGRATION_ACTIONS, a comma-separated list of actions).
import { z } from 'zod';
import type { Problem } from '../contract/parse.js';
import { ACTION_NAMES, DEFAULT_INTEGRATION_ACTIONS, type Action } from '../auth/actions.js';
import { JwtEnv, jwtSettingsOf, type JwtEnvValues } from '../auth/jwtSettings.js';
import type { AccessSettings } from './access.js';

const isAction = (name: string): name is Action => (ACTION_NAMES as string[]).includes(name);

export const AuthEnv = {
  ...JwtEnv,
  MEDSCHED_INTEGRATION_ACTIONS: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        for (const name of entries(value ?? ''))
          if (!isAction(name)) ctx.addIssue({ code: 'custom', message: `'${name}' is not an action (one of ${ACTION_NAMES.join(', ')})` });
      })
      .transform((value) => (value === undefined ? DEFAULT_INTEGRATION_ACTIONS : entries(value).filter(isAction))),
  ),
};

function entries(value: string): string[] {
  return value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

/** The access settings of the API listening on `host` (the development secret needs a loopback host). */
export function authConfigOf(e: JwtEnvValues & { MEDSCHED_INTEGRATION_ACTIONS: Action[] }, host: string): { ok: true; access: AccessSettings } | { ok: false; problems: Problem[] } {
  const jwt = jwtSettingsOf(e, host);
  if (!jwt.ok) return jwt;
  return { ok: true, access: { jwt: jwt.settings, integrationActions: e.MEDSCHED_INTEGRATION_ACTIONS } };
}
