// The data key that seals patients' contact fields at rest (src/privacy/fieldCipher.ts), read from the
// environment by every process that reads or writes patients (the API, the workers): MEDSCHED_DATA_KEY
// (32 bytes, base64), its id MEDSCHED_DATA_KEY_ID (named in every value it seals), and the keys it
// replaced, MEDSCHED_DATA_KEYS_PREVIOUS (`id:base64,...`), which still open older values but never seal.
import { z } from 'zod';
import { dataKeyProblem, type FieldCipher } from '../privacy/fieldCipher.js';

/** A key id is one part of a sealed value (`v1.<keyId>. ...`): no dots, no separators. */
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const KEY_ID_MESSAGE = 'must be 1-32 letters, digits, _ or -';

const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

const DataKey = z.string().superRefine((text, ctx) => {
  // The message never repeats the value: it is a secret.
  const problem = dataKeyProblem(text.trim());
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const PreviousKeys = z.string().transform((text, ctx): [string, Buffer][] => {
  const keys: [string, Buffer][] = [];
  for (const [i, entry] of text.split(',').map((s) => s.trim()).filter((s) => s !== '').entries()) {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const key = colon < 0 ? entry : entry.slice(colon + 1);
    // Entries are named by position and id only: the key itself is a secret.
    if (!KEY_ID.test(id)) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be keyId:base64key; its key id ${KEY_ID_MESSAGE}` });
    else if (keys.some(([known]) => known === id)) ctx.addIssue({ code: 'custom', message: `key id '${id}' is listed twice` });
    else {
      const problem = dataKeyProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', message: `key '${id}' ${problem}` });
      else keys.push([id, Buffer.from(key, 'base64')]);
    }
  }
  return keys;
});

export const DataKeyEnv = {
  /** Seals patients' contact fields (name, phone, e-mail, birth date) at rest; without it they are stored in the clear. */
  MEDSCHED_DATA_KEY: z.preprocess(unsetIfEmpty, DataKey.optional()),
  /** The id of MEDSCHED_DATA_KEY, written into every value it seals. */
  MEDSCHED_DATA_KEY_ID: z.preprocess(unsetIfEmpty, z.string().regex(KEY_ID, KEY_ID_MESSAGE).default('k1')),
  /** Keys it replaced (`id:base64,...`): they open values sealed with them, and seal nothing. */
  MEDSCHED_DATA_KEYS_PREVIOUS: z.preprocess(unsetIfEmpty, PreviousKeys.optional()),
};

export type DataKeyEnvValues = {
  MEDSCHED_DATA_KEY?: string | undefined;
  MEDSCHED_DATA_KEY_ID: string;
  MEDSCHED_DATA_KEYS_PREVIOUS?: [string, Buffer][] | undefined;
};

/** The cipher of the configured key (undefined without one), or the problems of the combination. */
export function fieldCipherOf(e: DataKeyEnvValues): { ok: true; cipher: FieldCipher | undefined } | { ok: false; problems: { path: string; message: string }[] } {
  const previous = e.MEDSCHED_DATA_KEYS_PREVIOUS ?? [];
  if (e.MEDSCHED_DATA_KEY === undefined)
    return previous.length > 0
      ? { ok: false, problems: [{ path: 'MEDSCHED_DATA_KEYS_PREVIOUS', message: 'needs MEDSCHED_DATA_KEY (the current key) beside it' }] }
      : { ok: true, cipher: undefined };
  if (previous.some(([id]) => id === e.MEDSCHED_DATA_KEY_ID))
    return { ok: false, problems: [{ path: 'MEDSCHED_DATA_KEYS_PREVIOUS', message: `must not list the current key id '${e.MEDSCHED_DATA_KEY_ID}' (MEDSCHED_DATA_KEY_ID); give a new key a new id` }] };
  return {
    ok: true,
    cipher: {
      keyId: e.MEDSCHED_DATA_KEY_ID,
      key: Buffer.from(e.MEDSCHED_DATA_KEY.trim(), 'base64'),
      ...(previous.length > 0 ? { previous: new Map(previous) } : {}),
    },
  };
}
