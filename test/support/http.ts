// Plain HTTP calls for the service tests: JSON in, status + headers + parsed JSON out.
export type Reply = { status: number; headers: Headers; body: any; text: string };

export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
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
