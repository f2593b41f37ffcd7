// Shapes and settings shared by the SERVICE section of the bench: serviceBench.ts runs it (with
// serviceLoad.ts, the HTTP load generator, and serviceBookings.ts, the booking race), serviceTable.ts
// reports it and targets.ts judges it.

/** The clinic: generateClinic with this many providers and this seed, at the bench's LOAD. */
export const SERVICE_PROVIDERS = 40;
export const SERVICE_CLINIC_SEED = 1;
/** The clinic's zone; the day is tomorrow there (the API offers nothing that starts before now). */
export const SERVICE_ZONE = 'America/Chicago';
/** The day's schedule: `medsched optimize --backend auto --max-rounds R` (about 6 s on 2 cores), the same on any machine. */
export const SERVICE_DAY_ROUNDS = 20;
export const SERVICE_DAY_TIME_LIMIT_S = 60;
/** API processes, each on its own port, sharing one Redis under one fresh key prefix. */
export const API_PROCESSES = 2;
/** Slot search: this many connections (spread evenly over the API processes) for this many seconds. */
export const SEARCH_CONNECTIONS = 8;
export const SEARCH_SECONDS = 20;
/** The same searches from one connection (no queueing): the per-request cost of the HTTP path. */
export const SINGLE_SECONDS = 8;
/** Timed passes of the in-process baseline over the same searches (after one untimed pass). */
export const BASELINE_PASSES = 2;
/** Options asked per search. */
export const SEARCH_K = 5;
/** Loading the optimized day through POST .../appointments: connections. */
export const LOAD_CONNECTIONS = 8;
/**
 * Bookings go to a second clinic with the same set-up and an empty day (the loaded day has few places
 * left: on it, the rate would count free places, not the service). Fresh requests per wave (cycling over the services), each searched first (k options). */
export const WAVE_REQUESTS = 50;
export const BOOKING_K = 10;
/** Rival clients (other patients) booking each request's first option at the same moment as it. */
export const RACERS = 3;
/** Concurrent booking: connections over the API processes; waves until this much booking time or MAX_WAVES. */
export const BOOK_CONNECTIONS = 16;
export const BOOK_SECONDS = 10;
export const MAX_WAVES = 20;
/** The sequential baseline: this many waves of first options, one client, one connection. */
export const SEQUENTIAL_WAVES = 4;
/** The target (issue 4): slot search p95 under this, over HTTP. */
export const SEARCH_P95_TARGET_MS = 50;

export type Latency = { count: number; mean: number; p50: number; p95: number; p99: number; max: number };
/** Responses per HTTP status ('no answer': sent, never answered: a connection error or timeout). */
export type StatusCounts = Record<string, number>;

/** One run of the load generator (or of the in-process baseline). */
export type LoadRun = {
  /** Requests answered (any status). */
  answered: number;
  statuses: StatusCounts;
  /** Connection errors and timeouts autocannon counted. */
  errors: number;
  seconds: number;
  connections: number;
  /** Response times of every answer, ms. */
  latency: Latency;
};

export type SearchMeasure = {
  /** Distinct search bodies, cycled: the day's waiting requests, re-searches of booked ones, fresh requests per service. */
  mix: { waiting: number; again: number; fresh: number };
  http: LoadRun;
  /** The same searches from one connection. */
  single: LoadRun;
  /** The route's own work in the bench process on the same searches: instanceForDay + searchRequestProblems + searchSlots. */
  inProcess: { searches: number; seconds: number; latency: Latency };
  /** Share of the distinct searches with at least one option (HTTP warm-up answers). */
  withOptions: number;
  /** The API's options (warm-up pass) against the in-process ones, search by search. */
  sameOptions: { compared: number; same: number; firstDifference?: string };
};

export type BookingRun = LoadRun & {
  /** 201s per second of load-generator time. */
  bookedPerSecond: number;
  attemptsPerSecond: number;
};

export type RaceCounts = {
  /** Options two or more attempts went for. */
  groups: number;
  oneWinner: number;
  noWinner: number;
  /** Groups with more than one 201: each one a double booking. */
  manyWinners: number;
};

export type BookingMeasure = {
  sequential: BookingRun & { waves: number };
  concurrent: BookingRun & { waves: number; races: RaceCounts; stoppedBecause: string };
};

export type ScheduleCheck = {
  /** Which day: the loaded day (slot search) or the booking clinic's. */
  what: string;
  clinicId: string;
  /** Appointments holding capacity read back (GET .../schedule?include=all, every room). */
  live: number;
  /** The day's 201s plus every booking's 201. */
  expected: number;
  /** Acknowledged appointment ids not found live. */
  missing: number;
  /** Validator violations by constraint number (4: provider, room with turnover, staff, equipment units; 5: patient). */
  byConstraint: Record<string, number>;
  /** Violations of constraints 4 and 5: the double bookings. */
  doubleBookings: number;
  /** The first few violations, as the validator words them. */
  examples: string[];
  checkMs: number;
};

export type ServiceOutcome = {
  providers: number;
  /** The clinic-local day used. */
  date: string;
  apiProcesses: number;
  redisUrl: string;
  day?: { requests: number; scheduled: number; optimizeMs: number };
  /** The optimized day loaded as bookings through POST .../appointments. */
  load?: LoadRun;
  search?: SearchMeasure;
  bookings?: BookingMeasure;
  checks?: ScheduleCheck[];
  cleanup?: { keysDeleted: number; apiExitCodes: (number | null)[] };
  wallMs: number;
  /** The section stopped here (what it was doing, and why). */
  error?: string;
  /** Things that went wrong without stopping it (e.g. day bookings refused). */
  problems: string[];
};
