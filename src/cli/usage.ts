export const COMMAND_USAGE = {
  optimize: `medsched optimize INSTANCE [--time-limit S] [--seed N] [--max-rounds R] [--backend auto|highs|jsl]
                  [--out FILE] [--json]
  Builds the best schedule it can for INSTANCE (JSON) within the time limit, checks it against every
  hard constraint and prints a summary in the clinic's local time.
    --time-limit S   seconds the optimizer may run (default 30); it is stopped 5 s after that at the latest
    --seed N         seed of the randomized search (default 1)
    --max-rounds R   stop after R search rounds: with the same seed, the same schedule, score and bound
                     on any machine (as long as the time limit does not stop the run first)
    --backend NAME   MIP backend: auto (default: HiGHS for the whole day, javascript-lp-solver for
                     neighbourhoods), highs, or jsl (javascript-lp-solver)
    --out FILE       also write the result JSON to FILE
    --json           print only the result JSON on stdout
  Exit 0 ok, 1 invalid result or no schedule (status infeasible/no-solution), 2 bad usage or input.`,
  replan: `medsched replan INSTANCE DAYSTATE EVENTS --now T [--backend auto|highs|jsl] [--out FILE] [--json]
  Re-plans the rest of the day after the EVENTS (delay, overrun, emergency, cancellation, noshow,
  resource-down, staff-absence) at the time T, at the least cost of the changes; checks the new day
  against every rule and prints the changes in the clinic's local time, whom to notify, billing flags,
  rebooking proposals and new requests left out.
    DAYSTATE         the day's appointments with their statuses: { "appointments": [...] } (a batch
                     result works as is) or a bare array
    EVENTS           a bare array of events or { "events": [...] }
    --now T          the time now, RFC 3339 with an offset (e.g. 2026-11-24T10:05:00-06:00); required
    --backend NAME   MIP backend: auto (default), highs, or jsl (javascript-lp-solver)
    --out FILE       also write the result JSON to FILE
    --json           print only the result JSON on stdout
  Exit 0 ok, 1 invalid result or no plan (status infeasible/no-solution), 2 bad usage or input.`,
  simulate: `medsched simulate INSTANCE [--seed N] [--optimize-seconds S] [--out FILE] [--json]
  Plays a whole clinic day: optimizes INSTANCE, then walks the clock forward with realistic disruptions
  drawn from the seed (right-skewed overruns, 5-15 % no-shows, a few emergencies, a device or room
  outage, maybe a late provider or a staff member out, cancellations), re-plans at each, and compares
  the day with pushing everything later on the same provider: lateness, patients moved, reassignments,
  overtime, bumps, cost, and the re-plan latency percentiles. Each re-plan is checked against every rule.
    --seed N               seed of the optimizer and of the disruptions (default 1)
    --optimize-seconds S   seconds to optimize the day first (default 10)
    --out FILE             also write the report JSON to FILE
    --json                 print only the report JSON on stdout
  Exit 0 ok, 1 an invalid schedule or re-plan, 2 bad usage or input.`,
  validate: `medsched validate INSTANCE RESULT
  Checks RESULT (an optimization result, JSON) against every hard constraint of INSTANCE, prints each
  violation and the recomputed score. Exit 0 valid, 1 violations, 2 bad usage or input.`,
  schema: `medsched schema
  Prints the JSON Schema of an instance (fields with defaults are optional).`,
  generate: `medsched generate --providers N --seed S [--load L] [--overbooking X] [--date YYYY-MM-DD] [--timezone ZONE] [--out FILE]
  Generates a realistic clinic instance with N providers, deterministic in S.
    --load L         requested work relative to capacity (e.g. 1.1 = 10 % more than fits)
    --overbooking X  let the optimizer overbook providers up to an expected load of X (1-2); requests always
                     carry no-show estimates
    --date D         the clinic day (local date)
    --timezone ZONE  the clinic's IANA time zone
    --out FILE       write the instance to FILE instead of stdout`,
  audit: `medsched audit verify (--clinic ID | --deployment | --file EXPORT.jsonl)
  Walks an audit trail's hash chain and names the first entry that breaks it: altered (its hash does not
  match its content), removed (a gap in seq, or the trail ends before its head) or inserted (it does not
  follow the entry before it, or lies past the head).
    --clinic ID      the clinic's trail in Redis (REDIS_URL or REDIS_CLUSTER_NODES, and MEDSCHED_PREFIX,
                     as the API reads them)
    --deployment     the deployment's own trail (refusals for clinics that do not exist)
    --file FILE      an export (GET /clinics/{id}/audit/export?format=jsonl), offline
  Exit 0 unbroken, 1 broken, 2 bad usage or input (Redis unreachable, no such trail or file).`,
  token: `medsched token create --role ROLE --clinic ID [--clinic ID ...] [--provider ID] --subject NAME [--ttl 8h]
  Prints a bearer token for the API (a JWT signed with MEDSCHED_JWT_SECRET, with MEDSCHED_JWT_ISSUER and
  MEDSCHED_JWT_AUDIENCE as the API checks them); send it as Authorization: Bearer <token>. Needs no Redis.
    --role ROLE      front-desk, clinician, scheduler-admin, integration or auditor
    --clinic ID      a clinic the token reaches (repeat for several); any other clinic answers 404
    --provider ID    a clinician's own provider (required for --role clinician)
    --subject NAME   who the token is for: the "by" of every change they make
    --ttl DURATION   how long it is valid: 90s, 30m, 8h (default), 7d; at most 30 days
  Without MEDSCHED_JWT_SECRET (and not NODE_ENV=production) it signs with the development secret.`,
  apikey: `medsched apikey create --role ROLE --clinic ID [--clinic ID ...] [--provider ID] --name NAME [--json]
medsched apikey revoke KEY_ID
medsched apikey list [--json]
  API keys for integrations, kept in the deployment's Redis (REDIS_URL or REDIS_CLUSTER_NODES, and
  MEDSCHED_PREFIX, as the API reads them). create prints the key (msk_<key id>_<secret>) once: only a
  hash of its secret is stored; send it as X-Api-Key: <key> or Authorization: ApiKey <key>. revoke stops
  a key at once (its record stays, marked revoked); list shows every key without its secret.
  Exit 0 ok, 1 unknown key or Redis unreachable, 2 bad usage.`,
  help: `medsched help [COMMAND]
  Prints this text, or the usage of COMMAND.`,
} as const;

export type CommandName = keyof typeof COMMAND_USAGE;

export const USAGE = `medsched: clinic scheduling engine

Usage:
${Object.values(COMMAND_USAGE)
  .map((text) => `  ${text.replace(/\n/g, '\n  ')}`)
  .join('\n\n')}

Exit codes: 0 ok, 1 invalid result or no schedule, 2 bad usage or bad input, 3 internal error.
`;
