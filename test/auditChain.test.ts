// The audit chain's check (pure): a chain built as the append script builds it verifies; removing,
// altering, inserting or reordering any entry, or cutting the end off a stream, is found, and the
// first broken entry is named.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS, type AuditDraft, type AuditEntry } from '../src/audit/auditEntry.js';
import { entryHash } from '../src/audit/entryHash.js';
import { verifyChain } from '../src/audit/verifyChain.js';

const draft = (i: number): AuditDraft => ({
  at: new Date(Date.UTC(2030, 0, 15, 8, 0, i)).toISOString(),
  clinicId: 'c1',
  subject: `desk-${i % 3}`,
  role: 'front-desk',
  via: 'jwt',
  action: i % 2 === 0 ? 'appointment.read' : 'appointment.create',
  attempted: null,
  objectType: 'appointment',
  objectId: `a${i}`,
  patientIds: [`p-${i}`],
  method: i % 2 === 0 ? 'GET' : 'POST',
  route: '/clinics/:id/appointments/:aid',
  status: 200,
  outcome: 'allowed',
  requestId: `req-${i}`,
});

function chainOf(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS;
  for (let i = 1; i <= n; i++) {
    const unhashed = { v: 1 as const, seq: i, ...draft(i), prev };
    const entry = { ...unhashed, hash: entryHash(unhashed) };
    out.push(entry);
    prev = entry.hash;
  }
  return out;
}

const rows = (entries: unknown[]) => entries.map((raw, i) => ({ raw, place: { id: `${1000 + i}-0` } }));
const headOf = (entries: AuditEntry[]) => ({ seq: entries.at(-1)!.seq, hash: entries.at(-1)!.hash });

describe('verifyChain', () => {
  it('passes an untouched chain, from the start and ending at its head', () => {
    const chain = chainOf(6);
    expect(verifyChain(rows(chain), { fromStart: true, head: headOf(chain) })).toMatchObject({ ok: true, count: 6, last: { seq: 6 } });
  });

  it('finds an altered field, naming the entry', () => {
    const chain = chainOf(5);
    chain[2] = { ...chain[2]!, patientIds: ['p-someone-else'] };
    const verdict = verifyChain(rows(chain), { fromStart: true, head: headOf(chain) });
    expect(verdict).toMatchObject({ ok: false, broken: { kind: 'altered', seq: 3, id: '1002-0' } });
  });

  it('finds an added field (an entry is exactly its fields)', () => {
    const chain: unknown[] = chainOf(3);
    chain[1] = { ...(chain[1] as object), note: 'added later' };
    expect(verifyChain(rows(chain), { fromStart: true })).toMatchObject({ ok: false, broken: { kind: 'malformed', seq: 2 } });
  });

  it('finds a removed entry in the middle, at the start and at the end', () => {
    const chain = chainOf(5);
    const head = headOf(chain);
    expect(verifyChain(rows([...chain.slice(0, 2), ...chain.slice(3)]), { fromStart: true, head })).toMatchObject({
      ok: false,
      broken: { kind: 'removed', seq: 4, message: expect.stringMatching(/entry seq 3 is missing/) },
    });
    expect(verifyChain(rows(chain.slice(1)), { fromStart: true, head })).toMatchObject({ ok: false, broken: { kind: 'removed', seq: 2 } });
    expect(verifyChain(rows(chain.slice(0, 4)), { fromStart: true, head })).toMatchObject({
      ok: false,
      broken: { kind: 'removed', seq: null, message: expect.stringMatching(/ends at seq 4 but its head records seq 5/) },
    });
  });

  it('finds an entry inserted with a valid hash of its own: the genuine entry after it no longer follows', () => {
    const chain = chainOf(4);
    const forgedUnhashed = { ...chain[2]!, objectId: 'forged', prev: chain[1]!.hash };
    const { hash: _h, ...rest } = forgedUnhashed;
    const forged = { ...rest, hash: entryHash(rest) };
    const verdict = verifyChain(rows([chain[0], chain[1], forged, chain[2], chain[3]]), { fromStart: true, head: headOf(chain) });
    expect(verdict).toMatchObject({ ok: false, broken: { kind: 'inserted', seq: 3, id: '1003-0' } });
  });

  it('finds an entry appended past the head (not by the append script)', () => {
    const chain = chainOf(3);
    const head = headOf(chain);
    const extra = chainOf(4)[3]!;
    const tail = { ...extra, prev: chain[2]!.hash };
    const { hash: _h, ...rest } = tail;
    const forged = { ...rest, hash: entryHash(rest) };
    expect(verifyChain(rows([...chain, forged]), { fromStart: true, head })).toMatchObject({ ok: false, broken: { kind: 'inserted', message: expect.stringMatching(/past its head/) } });
  });

  it('accepts an export of a time range starting mid-chain, but not one with a gap', () => {
    const chain = chainOf(6);
    expect(verifyChain(rows(chain.slice(2)), { fromStart: false })).toMatchObject({ ok: true, count: 4, first: { seq: 3 } });
    expect(verifyChain(rows([chain[2], chain[4]]), { fromStart: false })).toMatchObject({ ok: false, broken: { kind: 'removed', seq: 5 } });
  });

  it('finds any single tampering of any entry of any chain (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        fc.constantFrom('remove', 'alter-patient', 'alter-status', 'swap', 'duplicate', 'rehash'),
        (n, pick, how) => {
          const chain: AuditEntry[] = chainOf(n);
          const head = headOf(chain);
          const i = pick % n;
          const tampered: AuditEntry[] = [...chain];
          if (how === 'remove') tampered.splice(i, 1);
          if (how === 'alter-patient') tampered[i] = { ...chain[i]!, patientIds: [...chain[i]!.patientIds, 'p-x'] };
          if (how === 'alter-status') tampered[i] = { ...chain[i]!, status: chain[i]!.status + 1 };
          if (how === 'swap') {
            if (n < 2) return;
            const j = (i + 1) % n;
            [tampered[i], tampered[j]] = [chain[j]!, chain[i]!];
          }
          if (how === 'duplicate') tampered.splice(i, 0, chain[i]!);
          if (how === 'rehash') {
            // A forger who recomputes the altered entry's own hash still breaks the link to the next one (or the head).
            const { hash: _h, ...rest } = { ...chain[i]!, subject: 'someone-else' };
            tampered[i] = { ...rest, hash: entryHash(rest) };
          }
          const verdict = verifyChain(rows(tampered), { fromStart: true, head });
          expect(verdict.ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
