import { z } from 'zod';
import { InstanceShape } from './instance.js';
import { checkInstanceReferences } from './instanceChecks.js';
import { ReminderSettings } from './reminderSettings.js';

/**
 * A clinic's standing set-up as the service stores it: the contract's instance without the parts that
 * belong to one planning run (version, horizon, requests, bookings). Validated by the same rules as an
 * instance; the day-bound rules (horizon, weights against the horizon's length) are judged on a 24-hour day.
 */
export const ClinicSetupShape = InstanceShape.omit({ version: true, horizon: true, requests: true, bookings: true }).extend({
  /** The service's own (not the contract's): when patients are reminded; see reminderSettings.ts. */
  reminders: ReminderSettings.optional(),
});

const SETUP_CHECK_HORIZON = { start: '2000-01-01T00:00:00Z', end: '2000-01-02T00:00:00Z' };

export const ClinicSetup = ClinicSetupShape.superRefine((setup, ctx) =>
  checkInstanceReferences({ ...setup, version: 1, horizon: SETUP_CHECK_HORIZON, requests: [], bookings: [] }, ctx),
).meta({ id: 'ClinicSetup' });

export type ClinicSetup = z.infer<typeof ClinicSetupShape>;
export type ClinicSetupInput = z.input<typeof ClinicSetupShape>;
