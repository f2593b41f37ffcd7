import type { CompiledRequest, Model } from '../model/types.js';

export type Prices = { price: Float64Array[]; capPrice: Map<number, number> };

export type PriceTable = { prefix: Float64Array[]; prefixOpen: Float64Array[]; capPrice: Map<number, number> };

/** Prefix sums of per-slot prices, so any interval's price is two lookups (rooms also over open slots, for turnover). */
export function priceTable(model: Model, prices: Prices): PriceTable {
  const prefix = model.lanes.map((_, l) => prefixSum(prices.price[l]!, null));
  const prefixOpen = model.lanes.map((lane, l) => (lane.open ? prefixSum(prices.price[l]!, lane.open) : prefix[l]!));
  return { prefix, prefixOpen, capPrice: prices.capPrice };
}

/**
 * The request's best priced placement, or none when nothing beats `floor` (0 for an optional request:
 * leaving it out is free). Modes are a product of independent choices (provider × room × staff), so at
 * each start the best mode is the best of each choice: O(providers + rooms + staff) per start, not their
 * product. Starts ascend and prices are non-negative, so once the unpriced value cannot beat the best
 * so far, later starts are skipped. This is the bound's hot loop.
 */
export function bestPriced(model: Model, table: PriceTable, r: CompiledRequest, floor: number): { value: number; mode: number; start: number } {
  const { prefix, prefixOpen } = table;
  const { providers, rooms, staff, modeIndex } = r.factors;
  let best = { value: floor, mode: -1, start: -1 };
  if (r.modes.length === 0) return best;
  const capPrice = providers.map((p) => (p.lane >= 0 ? table.capPrice.get(p.lane) ?? 0 : 0));
  const maxBonus = Math.max(...providers.map((p) => p.bonus));
  const len = r.length;
  const stop = Math.min(r.last, r.first + (rooms[0]?.ok.length ?? 0) - 1);
  for (let t = r.first; t <= stop; t++) {
    if (r.base + maxBonus - r.waitPerSlot * t <= best.value) break;
    const k = t - r.first;
    const end = t + len;
    let bp = -1;
    let vp = -Infinity;
    for (let i = 0; i < providers.length; i++) {
      const p = providers[i]!;
      if (p.ok && !p.ok[k]) continue;
      let v = p.lane >= 0 ? p.bonus - capPrice[i]! - (prefix[p.lane]![end]! - prefix[p.lane]![t]!) : p.bonus;
      if (p.load >= 0) v -= r.load * (prefix[p.load]![end]! - prefix[p.load]![t]!);
      if (v > vp) (vp = v), (bp = i);
    }
    if (bp < 0) continue;
    let br = -1;
    let vr = -Infinity;
    for (let i = 0; i < rooms.length; i++) {
      const room = rooms[i]!;
      if (!room.ok[k]) continue;
      let v = -(prefix[room.lane]![end]! - prefix[room.lane]![t]!);
      if (r.turnover > 0) v -= prefixOpen[room.lane]![Math.min(model.slots, end + r.turnover)]! - prefixOpen[room.lane]![end]!;
      if (v > vr) (vr = v), (br = i);
    }
    if (br < 0) continue;
    let bs = -1;
    let vs = -Infinity;
    for (let i = 0; i < staff.length; i++) {
      const combo = staff[i]!;
      if (!combo.ok[k]) continue;
      let v = 0;
      for (const x of combo.needs) v -= prefix[x.lane]![t + x.offset + x.length]! - prefix[x.lane]![t + x.offset]!;
      if (v > vs) (vs = v), (bs = i);
    }
    if (bs < 0) continue;
    let v = r.base - r.waitPerSlot * t + vp + vr + vs;
    for (const e of r.equipment) v -= e.count * (prefix[e.lane]![end]! - prefix[e.lane]![t]!);
    if (r.patientLane >= 0) v -= prefix[r.patientLane]![end]! - prefix[r.patientLane]![t]!;
    if (v > best.value) best = { value: v, mode: modeIndex[(bp * rooms.length + br) * staff.length + bs]!, start: t };
  }
  return best;
}

function prefixSum(values: Float64Array, mask: Uint8Array | null): Float64Array {
  const out = new Float64Array(values.length + 1);
  for (let t = 0; t < values.length; t++) out[t + 1] = out[t]! + (mask && !mask[t] ? 0 : values[t]!);
  return out;
}
