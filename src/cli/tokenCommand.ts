// `medsched token create`: a bearer token for local use (a test, a script, a desk without an identity
// provider), signed with MEDSCHED_JWT_SECRET and the configured issuer and audience, printed once on
// stdout. It needs no Redis.
import { signBearerToken } from '../auth/bearerTokens.js';
import { Subject } from '../auth/claims.js';
import { jwtSettingsFromEnv } from '../auth/jwtSettings.js';
import { parseCommandArgs } from './args.js';
import { CliError, EXIT, usageError } from './errors.js';
import { GRANT_OPTIONS, grantOf } from './grantOptions.js';
import type { Io } from './io.js';
import { COMMAND_USAGE } from './usage.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };
/** Far longer than a shift; a longer-lived credential is an API key (revocable). */
export const MAX_TTL_SECONDS = 30 * 86_400;

export async function tokenCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(`${COMMAND_USAGE.token}\n`);
    return EXIT.ok;
  }
  if (sub !== 'create') throw usageError(sub === undefined ? 'token: name a subcommand (create)' : `token: unknown subcommand '${sub}' (create)`);
  const { values, positionals } = parseCommandArgs('token create', rest, {
    ...GRANT_OPTIONS,
    subject: { type: 'string' },
    ttl: { type: 'string', default: '8h' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.out(`${COMMAND_USAGE.token}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw usageError(`token create: unexpected argument '${positionals[0]}'`);
  const grant = grantOf('token create', values);
  if (values.subject === undefined) throw usageError('token create: --subject is required (who the token is for: it is the "by" of every change they make)');
  const subject = Subject.safeParse(values.subject);
  if (!subject.success) throw usageError(`token create: --subject ${subject.error.issues[0]?.message ?? 'is invalid'}`);
  const ttl = ttlSeconds(values.ttl);

  const loaded = jwtSettingsFromEnv(process.env);
  if (!loaded.ok) throw new CliError(`token create: invalid environment: ${loaded.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const settings = loaded.settings;
  if (!settings.secret)
    throw new CliError('token create: signs with MEDSCHED_JWT_SECRET (HS256), which is not set; tokens checked with MEDSCHED_JWT_PUBLIC_KEY come from your identity provider');
  if (settings.devSecret)
    io.err('token create: MEDSCHED_JWT_SECRET is not set: signed with the development secret (accepted only by an API that uses it too: off production, on this machine)\n');
  io.out(`${await signBearerToken(subject.data, grant, settings, ttl)}\n`);
  return EXIT.ok;
}

/** `8h`, `30m`, `7d`, `90s` or plain seconds. */
function ttlSeconds(text: string): number {
  const match = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!match) throw usageError(`token create: --ttl must be a duration such as 8h, 30m, 7d or 3600, got '${text}'`);
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] || 's']!;
  if (seconds < 1 || seconds > MAX_TTL_SECONDS) throw usageError(`token create: --ttl must be between 1 s and 30 days (for longer, create an API key), got '${text}'`);
  return seconds;
}
