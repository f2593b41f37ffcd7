// Patients' details in the store: one hash field per patient, written whole in one command. With a data
// key, the contact fields are sealed before they reach Redis (and its AOF, backups and replicas).
import { Patient, PATIENT_CONTACT_FIELDS } from '../contract/patient.js';
import { isSealed, seal, unseal, type FieldCipher } from '../privacy/fieldCipher.js';
import { getSetup } from './setup.js';
import { clinicKeys } from './keys.js';
import type { Store } from './store.js';

type StoredPatient = Omit<Patient, (typeof PATIENT_CONTACT_FIELDS)[number]> & { sealed?: string } & Partial<Pick<Patient, (typeof PATIENT_CONTACT_FIELDS)[number]>>;

/** Binds a sealed record to its clinic and patient id. */
const contextOf = (clinicId: string, patientId: string) => `patient|${clinicId}|${patientId}`;

export function patientRecord(patient: Patient, clinicId: string, cipher: FieldCipher | undefined): string {
  if (!cipher) return JSON.stringify(patient);
  const contact: Record<string, string> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patient)) {
    if ((PATIENT_CONTACT_FIELDS as readonly string[]).includes(k)) contact[k] = v as string;
    else rest[k] = v;
  }
  return JSON.stringify({ ...rest, sealed: seal(cipher, JSON.stringify(contact), contextOf(clinicId, patient.id)) });
}

export type PatientRead =
  | { ok: true; patient: Patient }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'sealed' | 'unreadable'; message: string };

/** JSON.parse, or undefined: its error would quote the text, which may hold a patient's details. */
function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A stored record read back (`patientId`: the hash field it was read from; by default the id it holds); a
 * sealed one opens only with the data key it was sealed with. Messages name the patient by id only.
 */
export function patientFromRecord(raw: string, clinicId: string, cipher: FieldCipher | undefined, fieldId?: string): PatientRead {
  const stored = jsonOrUndefined(raw) as StoredPatient | undefined;
  const patientId = fieldId ?? (typeof stored?.id === 'string' ? stored.id : '?');
  const unreadable = { ok: false, reason: 'unreadable', message: `patient '${patientId}' is stored in a form that does not read as a patient; replace it with PUT` } as const;
  if (stored === null || typeof stored !== 'object') return unreadable;
  if (stored.sealed === undefined) {
    const plain = Patient.safeParse(stored);
    return plain.success && plain.data.id === patientId ? { ok: true, patient: plain.data } : unreadable;
  }
  if (!cipher)
    return { ok: false, reason: 'sealed', message: `patient '${patientId}' is stored encrypted and no data key is configured to open it` };
  if (typeof stored.sealed !== 'string' || !isSealed(stored.sealed)) return unreadable;
  const opened = unseal(cipher, stored.sealed, contextOf(clinicId, patientId));
  if (opened instanceof Error) return { ok: false, reason: 'sealed', message: `patient '${patientId}': ${opened.message}` };
  const { sealed: _s, ...rest } = stored;
  const whole = Patient.safeParse({ ...rest, ...(jsonOrUndefined(opened) as object | undefined) });
  return whole.success && whole.data.id === patientId ? { ok: true, patient: whole.data } : unreadable;
}

export async function putPatient(store: Store, clinicId: string, patient: Patient, cipher?: FieldCipher): Promise<{ ok: true; created: boolean } | { ok: false; reason: 'not-found' }> {
  if (!(await getSetup(store, clinicId))) return { ok: false, reason: 'not-found' };
  const added = await store.redis.hset(clinicKeys(store.prefix, clinicId).patients, patient.id, patientRecord(patient, clinicId, cipher));
  return { ok: true, created: added === 1 };
}

export async function getPatient(store: Store, clinicId: string, patientId: string, cipher?: FieldCipher): Promise<PatientRead> {
  const raw = await store.redis.hget(clinicKeys(store.prefix, clinicId).patients, patientId);
  return raw === null ? { ok: false, reason: 'not-found' } : patientFromRecord(raw, clinicId, cipher, patientId);
}

export async function deletePatient(store: Store, clinicId: string, patientId: string): Promise<boolean> {
  return (await store.redis.hdel(clinicKeys(store.prefix, clinicId).patients, patientId)) === 1;
}
