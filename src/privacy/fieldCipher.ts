// Sealing fields at rest: AES-256-GCM (node:crypto) under a configured data key, with the record's
// identity as associated data, so a sealed value copied onto another record does not open there.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export type FieldCipher = {
  /** Names the key in every sealed value, so a rotated key can still open older values. */
  keyId: string;
  key: Buffer;
  /** Older keys that may still open values (by key id); never used to seal. */
  previous?: ReadonlyMap<string, Buffer>;
};

const VERSION = 'v1';

/** `v1.<keyId>.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function seal(cipher: FieldCipher, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', cipher.key, iv);
  c.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return [VERSION, cipher.keyId, iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export const isSealed = (value: string) => value.startsWith(`${VERSION}.`);

/** The plaintext, or an Error naming why it does not open (unknown key, altered value, other record). */
export function unseal(cipher: FieldCipher, sealed: string, context: string): string | Error {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) return new Error('not a sealed value');
  const [, keyId, iv, tag, body] = parts as [string, string, string, string, string];
  const key = keyId === cipher.keyId ? cipher.key : cipher.previous?.get(keyId);
  if (!key) return new Error(`sealed with key '${keyId}', which is not configured`);
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(context, 'utf8'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
  } catch {
    return new Error('the sealed value does not open with its key (altered, or from another record)');
  }
}

/** A data key from its configured text: 32 bytes, base64. */
export function dataKeyProblem(text: string): string | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === 32 && bytes.toString('base64') === text.replace(/\s/g, '') ? null : 'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)';
}
