// Patients' own details (name, phone, e-mail, language, birth date), kept beside the requests and
// appointments that name them by id: create or replace, read, remove. With a data key configured the
// contact fields are sealed at rest (src/store/patients.ts); a record this process cannot open is
// answered 423 naming the patient id only, never with what it holds. Messages here never repeat a
// patient's details, nor the patient id of the path (a caller might have put a name there).
import { z } from 'zod';
import { Patient } from '../contract/patient.js';
import { deletePatient, getPatient, putPatient } from '../store/patients.js';
import { clinicSetupOf } from './clinicSetupOf.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { ApiError, errorResponses, invalidRequest, notFound } from './errors.js';
import { ClinicId, ItemId } from './params.js';

const PatientParams = z.object({ id: ClinicId, patientId: ItemId });
/** The id is the path's; the body may repeat it. Strict: an unknown field is refused, never stored. */
const PatientBody = Patient.omit({ id: true }).extend({ id: Patient.shape.id.optional() });
const PatientAnswer = z.object({ clinicId: z.string(), patient: Patient });

const noPatient = (clinicId: string) => new ApiError(404, { error: 'not-found', message: `no patient with this id in clinic '${clinicId}'` });

export function registerPatientRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store } = deps;
  const cipher = deps.config.patientCipher;

  app.put(
    '/clinics/:id/patients/:patientId',
    {
      config: { audit: { action: 'patient.change', object: 'patient', patientData: true }, access: { action: 'change-patients' } },
      schema: {
        tags: ['patients'],
        operationId: 'putPatient',
        summary: "Create (201) or replace (200) a patient's details",
        description:
          'Name, phone (E.164), e-mail, language of messages, birth date. With MEDSCHED_DATA_KEY set, name, phone, e-mail and birth date are ' +
          'stored encrypted (AES-256-GCM). Replacing is allowed whatever the stored record (also one sealed with a key no longer configured).',
        params: PatientParams,
        body: PatientBody,
        response: { 200: PatientAnswer, 201: PatientAnswer, ...errorResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const { id, patientId } = request.params;
      if (request.body.id !== undefined && request.body.id !== patientId)
        throw invalidRequest([{ path: '$.body.id', message: 'names another patient than the path does; leave it out or make them equal' }]);
      const patient = Patient.parse({ ...request.body, id: patientId });
      const result = await putPatient(store, id, patient, cipher);
      if (!result.ok) throw notFound(`clinic '${id}'`);
      return reply.code(result.created ? 201 : 200).send({ clinicId: id, patient });
    },
  );

  app.get(
    '/clinics/:id/patients/:patientId',
    {
      config: { audit: { action: 'patient.read', object: 'patient', patientData: true }, access: { action: 'read-patients' } },
      schema: {
        tags: ['patients'],
        operationId: 'getPatient',
        summary: "A patient's details",
        description: '423 `sealed` when the record is encrypted with a key this API does not have (none configured, or rotated out of MEDSCHED_DATA_KEYS_PREVIOUS).',
        params: PatientParams,
        response: { 200: PatientAnswer, ...errorResponses(400, 404, 409, 423, 503) },
      },
    },
    async (request) => {
      const { id, patientId } = request.params;
      await clinicSetupOf(store, id);
      const read = await getPatient(store, id, patientId, cipher);
      if (read.ok) return { clinicId: id, patient: read.patient };
      if (read.reason === 'not-found') throw noPatient(id);
      if (read.reason === 'sealed') throw new ApiError(423, { error: 'sealed', message: read.message });
      throw new ApiError(409, { error: 'unreadable', message: read.message });
    },
  );

  app.delete(
    '/clinics/:id/patients/:patientId',
    {
      config: { audit: { action: 'patient.delete', object: 'patient', patientData: true }, access: { action: 'change-patients' } },
      schema: {
        tags: ['patients'],
        operationId: 'deletePatient',
        summary: "Remove a patient's details (their requests and appointments stay; they name the patient by id only)",
        params: PatientParams,
        response: { 200: z.object({ clinicId: z.string(), deleted: z.string() }), ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { id, patientId } = request.params;
      await clinicSetupOf(store, id);
      if (!(await deletePatient(store, id, patientId))) throw noPatient(id);
      return { clinicId: id, deleted: patientId };
    },
  );
}
