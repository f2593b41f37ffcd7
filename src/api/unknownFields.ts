// Request bodies are strict: a field the schema does not know is refused (400), never stored and never
// silently dropped. Each such field is its own problem with its own path; the fields only the server
// sets (who, status, version, history, the clinic) say why.
import type { Problem } from '../contract/parse.js';

const SERVER_SETS: Record<string, string> = {
  actor: 'who acts is the authenticated caller (the history records it); leave this out',
  caller: 'the caller is the authenticated one; leave this out',
  by: 'who acts is the authenticated caller (the history records it); leave this out',
  status: 'a status changes only through its own routes (check-in, start, finish, cancel, no-show); leave this out',
  version: 'versions are kept by the server; send the version you read as If-Match instead',
  history: 'the history is written by the server; leave this out',
  hold: 'holds are made with POST /clinics/{id}/holds; leave this out',
  clinicId: 'the clinic is the one the path names; leave this out',
  id: 'the server gives this id; leave this out',
};

/** A key that reads as a field name is named back; any other (an e-mail address, a name with spaces) is the caller's data, and is not repeated. */
const FIELD_NAME = /^[A-Za-z_$][\w$-]{0,63}$/;

/** One problem per unknown key at `path` (e.g. `$.body.request`). */
export function unknownFieldProblems(path: string, keys: readonly unknown[]): Problem[] {
  return keys.map((key) => {
    const name = String(key);
    if (!FIELD_NAME.test(name)) return { path, message: `unknown field: not accepted here (its name, ${name.length} characters, does not read as a field name and is not repeated)` };
    const at = /^[A-Za-z_$][\w$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
    return { path: at, message: Object.hasOwn(SERVER_SETS, name) ? `not accepted: ${SERVER_SETS[name]}` : `unknown field '${name}': not accepted here` };
  });
}
