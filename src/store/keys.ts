/**
 * Redis key names. Every key of a clinic carries the hash tag `{c:<clinicId>}`, so all of a clinic's keys
 * live in one Redis Cluster slot and one Lua script may touch any of them. `prefix` namespaces a whole
 * deployment (and each test file its own).
 */
export function clinicKeys(prefix: string, clinicId: string) {
  const base = `${prefix}:{c:${clinicId}}`;
  return {
    base,
    /** The clinic's set-up (providers, rooms, equipment, staff, services, settings): hash { json, version }. */
    setup: `${base}:setup`,
    /** Requests waiting to be scheduled, by id (hash: id → JSON). */
    requests: `${base}:requests`,
    /** Patients' own details by id (hash: id → JSON; contact fields sealed when a data key is configured). */
    patients: `${base}:patients`,
    /** Appointments by id (hash: id → JSON record: version, status, date, history, hold, claimed counters and the placement; see appointmentRecord.ts). */
    appointments: `${base}:appointments`,
    /** Next appointment / hold number. */
    sequence: `${base}:seq`,
    /** Appointment ids of one clinic-local date (set). */
    day: (date: string) => `${base}:day:${date}`,
    /** Version of one date's schedule: advances by one on every change to it (a plan applies only onto the version it read). */
    dayVersion: (date: string) => `${base}:dayver:${date}`,
    /** Advances whenever a hold on that date comes or goes (holds do not advance the version): with it, a reader can tell the date's capacity is unchanged. */
    dayHolds: (date: string) => `${base}:dayver:${date}:holds`,
    /** Capacity used on one date, per resource and grid slot (hash: `<kind>:<id>@<slot>` → units). */
    usage: (date: string) => `${base}:use:${date}`,
    /** Holds by expiry time (sorted set: hold id, score = expiry ms). */
    holds: `${base}:holds`,
    /** Holds reclaimed on expiry in the last 24 h (sorted set: hold id, score = expiry ms), to tell "expired" from "unknown". */
    expiredHolds: `${base}:holds-expired`,
    /** Live holds per caller (hash: caller → count), for the per-caller cap. */
    holdCount: `${base}:holdcount`,
    /** Live appointments (holds included) per set-up item they use (hash: `provider:<id>`, `room:<id>`, ..., `grid:<slot>|<zone>` → count). */
    refs: `${base}:refs`,
    /** Idempotency records of creating POSTs (string: JSON, with a TTL). */
    idempotency: (key: string) => `${base}:idem:${key}`,
    /** Live appointments and holds per request over all dates (hash: request id → count; the scripts name it from `refs`). */
    requestsHeld: `${base}:refs:requests`,
    /** Optimization and re-plan plans by id (hash: id → JSON). */
    plans: `${base}:plans`,
    /** Every appointment or hold one request was given (set of ids; the scripts add to it beside `requestsHeld`). */
    requestAppointments: (requestId: string) => `${base}:refs:requests:${requestId}`,
    /** Late cancellations and no-shows flagged for billing, by the appointment's clinic-local date (hash: appointment id → JSON; written by the status and apply scripts). */
    billing: (date: string) => `${base}:billing:${date}`,
    /** The waitlist (hash: entry id → JSON), the places freed for it (hash: slot id → JSON), and the lock its changes take. */
    waitlist: `${base}:waitlist`,
    waitlistFreed: `${base}:waitlist:freed`,
    waitlistLock: `${base}:waitlist:lock`,
    /** An authorisation override given with a hold, kept until the hold is booked (string: JSON, with a TTL). */
    holdOverride: (holdId: string) => `${base}:hold-override:${holdId}`,
    /** Calendar subscription link generation per person (hash: provider or staff id → n); revoking a person's links moves theirs on. */
    calendarLinks: `${base}:calendar-links`,
    /** Agenda changes, one entry per person affected (a stream of ids: person, date, appointments, cause). */
    notifications: `${base}:notifications`,
    ...auditKeys(base),
  };
}
export type ClinicKeys = ReturnType<typeof clinicKeys>;

/** The deployment's own audit trail (failed authorisations naming no clinic, or one that does not exist), under a hash tag of its own. */
export const deploymentAuditKeys = (prefix: string) => auditKeys(`${prefix}:{audit}`);

function auditKeys(base: string) {
  return {
    /** The audit trail: an append-only stream (field `entry`: the entry's JSON), each entry chained to the one before by its hash. */
    audit: `${base}:audit`,
    /** The chain's head (hash: seq, hash, id of the last entry), moved by the append script with every entry. */
    auditHead: `${base}:audit:head`,
  };
}
export type AuditKeys = ReturnType<typeof auditKeys>;
