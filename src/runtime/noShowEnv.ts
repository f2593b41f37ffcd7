// The no-show model's look-back, read by the API (risk route) and the workers (overbooking): one setting.
import { envInt } from './envSchema.js';

export const NoShowEnv = {
  /** Days of history before the date the no-show risk model is fitted on (one store read per day). */
  NO_SHOW_LOOKBACK_DAYS: envInt(7, 366, 180),
};
