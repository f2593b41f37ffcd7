// What the logs of every process (the API's fastify pino, the workers' pino) censor: patients' contact
// fields and credentials, wherever a logged object carries them. Redaction is the safety net: nothing
// logs a body, a URL or a patient record on purpose (the API's request serializer logs the route pattern).
import { PATIENT_CONTACT_FIELDS } from '../contract/patient.js';

/** Credentials, as header names (lower case, as Node gives them) and as plain fields. */
const CREDENTIAL_FIELDS = ['authorization', 'x-api-key', 'cookie', 'set-cookie', 'password', 'token', 'apiKey', 'secret'];

/** What a request carries as the caller wrote it: a parsed body or query, and the raw bytes a client error keeps (`err.rawPacket`). */
const RAW_REQUEST_FIELDS = ['body', 'query', 'rawPacket'];

/** Pino's paths name one level each (`*` is one key or array item): as deep as a logged object goes here. */
const DEPTH = 5;

const key = (field: string) => (/^[A-Za-z_$][\w$]*$/.test(field) ? `.${field}` : `["${field}"]`);

function atAnyDepth(field: string): string[] {
  const paths: string[] = [key(field).replace(/^\./, '')];
  for (let d = 1; d <= DEPTH; d++) paths.push(`${Array.from({ length: d }, () => '*').join('.')}${key(field)}`);
  return paths;
}

export const LOG_REDACT = {
  paths: [...PATIENT_CONTACT_FIELDS, ...CREDENTIAL_FIELDS, ...RAW_REQUEST_FIELDS].flatMap(atAnyDepth),
  censor: '[redacted]',
};
