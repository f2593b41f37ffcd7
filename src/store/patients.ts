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

export type PatientRead = { ok: true; patient: Patient } | { ok: false; reason: 'not-found' } | { ok: false; reason: 'sealed'; message: string };

/** A stored record read back; a sealed one opens only with the data key it was sealed with. */
export function patientFromRecord(raw: string, clinicId: string, cipher: FieldCipher | undefined): PatientRead {
  const stored = JSON.parse(raw) as StoredPatient;
  if (stored.sealed === undefined) return { ok: true, patient: Patient.parse(stored) };
  if (!cipher || !isSealed(stored.sealed))
    return { ok: false, reason: 'sealed', message: `patient '${stored.id}' is stored encrypted and no data key is configured to open it` };
  const opened = unseal(cipher, stored.sealed, contextOf(clinicId, stored.id));
  if (opened instanceof Error) return { ok: false, reason: 'sealed', message: `patient '${stored.id}': ${opened.message}` };
  const { sealed: _s, ...rest } = stored;
  return { ok: true, patient: Patient.parse({ ...rest, ...JSON.parse(opened) }) };
}

export async function putPatient(store: Store, clinicId: string, patient: Patient, cipher?: FieldCipher): Promise<{ ok: true; created: boolean } | { ok: false; reason: 'not-found' }> {
  if (!(await getSetup(store, clinicId))) return { ok: false, reason: 'not-found' };
  const added = await store.redis.hset(clinicKeys(store.prefix, clinicId).patients, patient.id, patientRecord(patient, clinicId, cipher));
  return { ok: true, created: added === 1 };
}

export async function getPatient(store: Store, clinicId: string, patientId: string, cipher?: FieldCipher): Promise<PatientRead> {
  const raw = await store.redis.hget(clinicKeys(store.prefix, clinicId).patients, patientId);
  return raw === null ? { ok: false, reason: 'not-found' } : patientFromRecord(raw, clinicId, cipher);
}

export async function deletePatient(store: Store, clinicId: string, patientId: string): Promise<boolean> {
  return (await store.redis.hdel(clinicKeys(store.prefix, clinicId).patients, patientId)) === 1;
}
