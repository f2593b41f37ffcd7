// Plain HTTP calls for the service tests: JSON in, status + headers + parsed JSON out. Every call carries
// a credential: the headers' own (Authorization or X-Api-Key), else a scheduler-admin token for the clinic
// its path names (see auth.ts); a header given as null is not sent (`{ authorization: null }`: anonymous).
import { defaultAuthFor } from './auth.js';

export type Reply = { status: number; headers: Headers; body: any; text: string };

export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string | null> = {}): Promise<Reply> {
  const given = Object.keys(headers).map((h) => h.toLowerCase());
  const auth = given.includes('authorization') || given.includes('x-api-key') ? {} : { authorization: defaultAuthFor(path) };
  const sent = Object.fromEntries(Object.entries({ ...auth, ...headers }).filter((e): e is [string, string] => e[1] !== null));
  const response = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...sent },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = undefined; // not JSON: tests that care assert on `text`
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
