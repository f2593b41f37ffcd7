import { BillingRecord } from '../contract/billing.js';
import { clinicKeys } from './keys.js';
import type { Store } from './store.js';

/** The late cancellations and no-shows flagged on one clinic-local date, in the order they happened; unreadable records are left out. */
export async function listBilling(store: Store, clinicId: string, date: string): Promise<BillingRecord[]> {
  const raws = await store.redis.hvals(clinicKeys(store.prefix, clinicId).billing(date));
  const records: BillingRecord[] = [];
  for (const raw of raws) {
    const parsed = BillingRecord.safeParse(JSON.parse(raw));
    if (parsed.success) records.push(parsed.data);
  }
  return records.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.appointmentId.localeCompare(b.appointmentId));
}
