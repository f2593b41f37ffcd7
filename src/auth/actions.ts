// What a caller may do: every protected route names one action, and each role has a set of actions.
// One table decides who may call what; the integration role's set comes from the configuration.
import type { Role } from '../api/principal.js';

export const ACTIONS = {
  'read-setup': 'read the clinic set-up (providers, rooms, equipment, staff, services)',
  'change-setup': 'create or change the clinic set-up',
  'read-requests': 'read the waiting requests',
  'change-requests': 'create, replace and remove waiting requests',
  search: 'search slots',
  book: 'hold, book, release a hold, check in, cancel, mark no-show, reschedule',
  treat: "start and finish a visit (a clinician: only their own provider's)",
  'read-schedule': "read a day's schedule and single appointments (a clinician: only their own provider's)",
  optimize: 'start an optimization',
  replan: 'post disruptions (start a re-plan)',
  'apply-plan': "apply an optimization's or a re-plan's plan",
  'read-jobs': 'follow optimizations, re-plans and booking batches (state, progress, plans)',
  'bulk-book': 'post booking batches',
  audit: "read and export the clinic's audit trail",
  'read-billing': 'read the billing export (late cancellations and no-shows)',
  'read-patients': "read patients' details (name, phone, e-mail, language, birth date)",
  'change-patients': "create, replace and remove patients' details",
  'read-briefings': "read daily briefings (agenda, tasks, prep) and agenda-change notifications (a clinician: only their own)",
  'manage-calendar-links': "issue and revoke a person's calendar subscription link (a clinician: only their own)",
  'read-reminders': "read an appointment's reminders (scheduled, sent, confirmed) and the day's postcards to print",
  'read-no-show-risk': "read each booked appointment's estimated no-show probability and its factors",
} as const;
export type Action = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as Action[];

const FRONT_DESK: Action[] = ['read-setup', 'read-requests', 'change-requests', 'search', 'book', 'read-schedule', 'read-reminders', 'read-patients', 'change-patients', 'read-briefings', 'manage-calendar-links', 'read-no-show-risk'];

/** What an integration may do unless MEDSCHED_INTEGRATION_ACTIONS says otherwise: requests, bulk bookings, disruptions, reads. */
export const DEFAULT_INTEGRATION_ACTIONS: Action[] = ['read-setup', 'read-requests', 'change-requests', 'read-schedule', 'bulk-book', 'replan', 'read-jobs', 'read-patients', 'change-patients', 'read-briefings'];

/** Each role's actions; `integration` is configured (see DEFAULT_INTEGRATION_ACTIONS). */
export function roleActions(integration: readonly Action[]): Record<Role, ReadonlySet<Action>> {
  return {
    'front-desk': new Set(FRONT_DESK),
    // A clinician reads who their patients are (treatment needs it; every read is in the audit trail), changes none.
    clinician: new Set<Action>(['read-setup', 'read-schedule', 'treat', 'read-patients', 'read-briefings', 'manage-calendar-links']),
    'scheduler-admin': new Set<Action>([...FRONT_DESK, 'change-setup', 'treat', 'optimize', 'replan', 'apply-plan', 'read-jobs', 'bulk-book', 'read-billing']),
    integration: new Set(integration),
    auditor: new Set<Action>(['read-setup', 'read-schedule', 'audit']),
  };
}

/** Roles that may do `action`, in ROLES order. */
export function rolesFor(action: Action, table: Record<Role, ReadonlySet<Action>>): Role[] {
  return (Object.keys(table) as Role[]).filter((role) => table[role].has(action));
}
