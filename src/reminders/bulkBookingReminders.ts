// Bulk bookings (the `bookings` queue) schedule reminders as the API does: a delayed sweep of every day
// the batch books on before it starts (the repair if the worker dies mid-batch), and each appointment's
// reminders synced as soon as it is booked.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { localDateOf } from '../booking/dayGrid.js';
import { BookingsJobData } from '../jobs/jobData.js';
import { loadBatch, processBookingsJob } from '../jobs/bulkBookings.js';
import { getSetup } from '../store/setup.js';
import { sweepLater, syncAppointmentReminders, type ReminderScheduler } from './scheduleReminders.js';

export async function processBookingsWithReminders(scheduler: ReminderScheduler, job: Job, log: Logger): Promise<{ booked: number; refused: number }> {
  const { store } = scheduler;
  const data = BookingsJobData.safeParse(job.data);
  if (!data.success) return processBookingsJob(store, job); // it refuses the job, naming the problem
  const { clinicId, batchId } = data.data;
  try {
    const [batch, setup] = await Promise.all([loadBatch(store, clinicId, batchId), getSetup(store, clinicId)]);
    if (batch && setup) await sweepLater(scheduler, clinicId, batch.items.map((item) => localDateOf(Date.parse(item.start), setup.setup.clinic.timezone)));
  } catch (error) {
    log.warn({ jobId: job.id, err: { message: (error as Error).message } }, "could not add the reminder sweep of the batch's days");
  }
  return processBookingsJob(store, job, async (appointmentId) => {
    try {
      await syncAppointmentReminders(scheduler, clinicId, appointmentId);
    } catch (error) {
      log.warn({ jobId: job.id, appointmentId, err: { message: (error as Error).message } }, 'could not schedule the reminders of a booking; the sweep will');
    }
  });
}
