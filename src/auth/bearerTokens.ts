// Bearer tokens (JWT), checked with jose against the configured key: only the pinned algorithm(s), the
// configured issuer and audience, `exp` and `sub` required, a small clock tolerance; then the claims
// (role, clinics, providerId) as a Principal. Failures say what is wrong, never echoing the token.
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Principal } from '../api/principal.js';
import { claimProblems, Grant, principalOf, Subject, type Grant as GrantValue } from './claims.js';
import type { JwtSettings } from './jwtSettings.js';

export type Checked = { ok: true; principal: Principal } | { ok: false; message: string };

/** The algorithms accepted: HS256 with the secret, the public key's own algorithm with it; nothing else (never `none`). */
export function acceptedAlgorithms(s: JwtSettings): string[] {
  return [...(s.secret ? ['HS256'] : []), ...(s.publicKey ? [s.publicKey.alg] : [])];
}

export async function verifyBearerToken(token: string, s: JwtSettings): Promise<Checked> {
  let payload: JWTPayload;
  try {
    // Each algorithm gets its own key, so a public key can never be used as an HMAC secret.
    const keyFor = (header: { alg?: string }) => (header.alg === 'HS256' ? s.secret! : s.publicKey!.key);
    ({ payload } = await jwtVerify(token, keyFor, {
      algorithms: acceptedAlgorithms(s),
      issuer: s.issuer,
      audience: s.audience,
      clockTolerance: s.clockToleranceSeconds,
      requiredClaims: ['exp', 'sub'],
    }));
  } catch (error) {
    return { ok: false, message: tokenFailure(error, s) };
  }
  const subject = Subject.safeParse(payload.sub);
  if (!subject.success) return { ok: false, message: `the token's sub claim ${subject.error.issues[0]?.message ?? 'is invalid'}` };
  const grant = Grant.safeParse({ role: payload.role, clinics: payload.clinics, providerId: payload.providerId });
  if (!grant.success) return { ok: false, message: `the token's claims are invalid: ${claimProblems(grant.error)}` };
  return { ok: true, principal: principalOf(subject.data, grant.data, 'jwt') };
}

/** What went wrong, in words a caller can act on (jose's own messages are fine but terse). */
function tokenFailure(error: unknown, s: JwtSettings): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired; get a new one';
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return `the token was not issued by '${s.issuer}' (its iss claim is wrong or missing)`;
      case 'aud':
        return `the token is not meant for '${s.audience}' (its aud claim is wrong or missing)`;
      case 'nbf':
        return 'the token is not valid yet (nbf)';
      case 'iat':
        return 'the token was issued in the future (iat)';
      default:
        return `the token's ${error.claim} claim is ${error.reason === 'missing' ? 'missing' : 'invalid'}`;
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return `the token's algorithm is not accepted (only ${acceptedAlgorithms(s).join(', ')})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid || error instanceof errors.JOSENotSupported)
    return 'the token is malformed or unsigned (expected a signed JWT: header.payload.signature)';
  if (error instanceof TypeError) return 'the token does not fit the configured key';
  return 'the token could not be verified';
}

/** A signed token (HS256 with the configured secret), as `medsched token create` and the tests issue them. */
export async function signBearerToken(subject: string, grant: GrantValue, s: JwtSettings, ttlSeconds: number, nowMs = Date.now()): Promise<string> {
  if (!s.secret) throw new Error('no MEDSCHED_JWT_SECRET to sign with');
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ role: grant.role, clinics: grant.clinics, ...(grant.providerId !== undefined ? { providerId: grant.providerId } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(s.issuer)
    .setAudience(s.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(s.secret);
}
