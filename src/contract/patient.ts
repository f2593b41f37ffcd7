// A patient's own details, kept beside the clinic's requests and appointments (which name the patient
// only by id): what reminders need to reach them, in their language. Not part of the shared contract.
import { z } from 'zod';
import { Id } from './primitives.js';

const Line = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** Where postcards go: free lines (street, unit, care of), then city, region and postal code. */
export const PostalAddress = z
  .strictObject({
    lines: z.array(Line(100)).min(1, 'must have at least one line').max(4, 'must have at most 4 lines'),
    city: Line(100),
    region: Line(100).optional(),
    postalCode: Line(20),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code (ISO 3166-1), e.g. US').optional(),
  })
  .meta({ id: 'PostalAddress' });
export type PostalAddress = z.infer<typeof PostalAddress>;

export const Patient = z
  .strictObject({
    id: Id.max(200, 'must be at most 200 characters'),
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    phone: z
      .string()
      .regex(/^\+[1-9][0-9]{6,14}$/, 'must be an international (E.164) number, e.g. +13125550100')
      .optional(),
    email: z.email('must be an e-mail address such as name@example.org').max(254, 'must be at most 254 characters').optional(),
    /** Language of reminders and other messages. */
    language: z.enum(['en', 'es'], { error: "must be 'en' or 'es'" }).default('en'),
    birthDate: z.iso.date('must be a date (YYYY-MM-DD)').optional(),
    /** Postcard reminders need it; without one a postcard is skipped, saying so. */
    address: PostalAddress.optional(),
  })
  .meta({ id: 'Patient' });
export type Patient = z.infer<typeof Patient>;

/** The fields that identify or reach a patient: encrypted at rest when a data key is configured. */
export const PATIENT_CONTACT_FIELDS = ['name', 'phone', 'email', 'birthDate', 'address'] as const;
