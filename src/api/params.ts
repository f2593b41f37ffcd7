// Path parameters and the headers the routes share.
import { z } from 'zod';
import { isLocalDate } from '../booking/dayGrid.js';

/** Clinic ids become part of Redis key names (inside a `{c:<id>}` hash tag): letters, digits, . _ - only. */
export const ClinicId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a clinic id is 1-64 letters, digits, . _ - (starting with a letter or digit)');

export const ItemId = z.string().min(1, 'must be a non-empty id').max(200, 'must be at most 200 characters');

export const ClinicParams = z.object({ id: ClinicId });
export const ClinicItemParams = z.object({ id: ClinicId, itemId: ItemId });

export const Reason = z.string().max(2000, 'must be at most 2000 characters');

export const LocalDate = z.string().refine(isLocalDate, 'must be a real calendar date written YYYY-MM-DD');
