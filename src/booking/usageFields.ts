// Names of the capacity counters a booking claims: `<kind>:<id>@<slot>` per grid slot of the
// clinic-local day, or `<kind>:<id>` for the whole day. Stored per date (see src/store/keys.ts).

// 'provider-load': an overbooking plan's expected load on a provider, in thousandths (src/contract/overbooking.ts).
export type SlotKind = 'provider' | 'provider-load' | 'room' | 'staff' | 'equipment' | 'patient';
export type DayKind = 'provider-day' | 'request';

export const slotField = (kind: SlotKind, id: string, slot: number) => `${kind}:${id}@${slot}`;
export const dayField = (kind: DayKind, id: string) => `${kind}:${id}`;

export type ParsedField = { kind: string; id: string; slot: number | null };

/** The inverse of slotField/dayField (ids may contain ':' or '@': the kind ends at the first ':', the slot follows the last '@'). */
export function parseField(field: string): ParsedField {
  const colon = field.indexOf(':');
  const kind = field.slice(0, colon);
  const rest = field.slice(colon + 1);
  if (kind === 'provider-day' || kind === 'request') return { kind, id: rest, slot: null };
  const at = rest.lastIndexOf('@');
  return { kind, id: rest.slice(0, at), slot: Number(rest.slice(at + 1)) };
}
