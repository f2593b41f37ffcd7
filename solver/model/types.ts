// The compiled form of an instance that every solver stage shares: a slot grid, capacity lanes and,
// per request, its modes (provider × room pool × staff pools) with the starts that fit statically.

/** 'load': a provider's expected load in thousandths when overbooking (its 'provider' lane then counts visits at once). */
export type LaneKind = 'provider' | 'load' | 'room' | 'staff' | 'equipment' | 'patient';

/** A capacity lane: units available per slot (a provider, a pool of identical rooms/staff, an equipment item, a patient). */
export type Lane = {
  kind: LaneKind;
  /** Resource ids behind the lane (several for a pool). */
  ids: string[];
  label: string;
  cap: Int32Array;
  /** Rooms only: slots where the pool is open; turnover is only needed where a next patient could come. */
  open?: Uint8Array;
  /** Rooms: capabilities; staff: skills (the same for every member of a pool). */
  tags?: string[];
  /** Amounts per whole unit (1000 on a load lane): the bound scales its prices by it so every lane weighs alike. */
  unit?: number;
};

export type StaffNeed = { lane: number; skill: string; offset: number; length: number };

export type Mode = {
  /** Provider lane, or -1 when the service needs no provider. */
  provider: number;
  providerId: string | null;
  /** The provider's load lane when overbooking, else -1. */
  load: number;
  room: number;
  staff: StaffNeed[];
  /** Objective bonus of this mode (preferred provider). */
  bonus: number;
  /** Feasible start slots given static availability (sorted). */
  starts: number[];
};

/**
 * A request's modes are the product of independent choices, each allowing its own starts
 * (masks over the window, indexed by start - first); a mode's starts are the intersection.
 */
export type ModeFactors = {
  providers: { lane: number; load: number; bonus: number; ok: Uint8Array | null }[];
  /** Room masks already include what every mode needs (equipment, the patient's own time). */
  rooms: { lane: number; ok: Uint8Array }[];
  staff: { needs: StaffNeed[]; ok: Uint8Array }[];
  /** Mode index of (provider, room, staff) at [(p * rooms + r) * staff + s], or -1 when it allows no start. */
  modeIndex: Int32Array;
};

export type CompiledRequest = {
  index: number;
  id: string;
  patientId: string;
  serviceId: string;
  urgency: 'emergency' | 'urgent' | 'routine';
  /** Duration and room turnover, in slots. */
  length: number;
  turnover: number;
  equipment: { lane: number; id: string; count: number }[];
  patientLane: number;
  /** Expected load in thousandths (1000 less the no-show probability), charged on a load lane when overbooking. */
  load: number;
  /** Start window in slots: [first, last] inclusive. */
  first: number;
  last: number;
  /** Value of scheduling at slot t = base + mode.bonus - waitPerSlot * t. */
  base: number;
  waitPerSlot: number;
  modes: Mode[];
  /** The same modes as independent choices (provider × room × staff), for pricing each slot in O(sum) not O(product). */
  factors: ModeFactors;
  /** Must be scheduled (an unpinned booking that already holds capacity). */
  mandatory: boolean;
  /** The booking's current placement, if it comes from one. */
  hint?: { mode: number; start: number };
};

export type Model = {
  slotMinutes: number;
  slots: number;
  /** Epoch ms of slot 0. */
  origin: number;
  timeZone: string;
  lanes: Lane[];
  requests: CompiledRequest[];
  /** Per provider lane: remaining maxAppointments (Infinity when none). */
  maxAppointments: Map<number, number>;
  /** Score of pinned bookings, which are fixed. */
  fixedScore: number;
  fixedScheduled: number;
};

/** A placement of a request: which mode and start slot. */
export type Placement = { mode: number; start: number };
/** A solution: a placement (or null) per request. */
export type Assignment = (Placement | null)[];
