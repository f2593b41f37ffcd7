// A day's schedule, grouped by provider, room or staff member: each resource of the set-up with its
// appointments in start order (an agenda), live holds included (they take the time too).
import { z } from 'zod';
import { holdsCapacity } from '../contract/appointment.js';
import { listDay } from '../store/day.js';
import { StoredAppointment } from '../store/storedAppointment.js';
import { clinicSetupOf } from './clinicSetupOf.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { errorResponses } from './errors.js';
import { ClinicParams, LocalDate } from './params.js';
import { etag } from './preconditions.js';

const By = z.enum(['provider', 'room', 'staff']);

const ScheduleQuery = z.object({
  date: LocalDate.describe('the clinic-local day, YYYY-MM-DD'),
  by: By.default('provider'),
  include: z.enum(['active', 'all']).default('active').describe('active: without cancelled and no-show appointments; all: every status'),
});

const ScheduleAnswer = z.object({
  clinicId: z.string(),
  date: z.string(),
  version: z.number().int().describe('the day\'s schedule version (also the ETag)'),
  by: By,
  groups: z.array(
    z.object({
      resourceId: z.string(),
      name: z.string().optional(),
      appointments: z.array(StoredAppointment),
    }),
  ),
  unassigned: z.array(StoredAppointment).describe('appointments with no resource of this kind (e.g. by provider: a service that needs none)'),
});

export function registerScheduleRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store } = deps;
  app.get(
    '/clinics/:id/schedule',
    {
      config: { audit: { action: 'schedule.read', object: 'schedule', patientData: true }, access: { action: 'read-schedule' } },
      schema: {
        tags: ['schedule'],
        operationId: 'getSchedule',
        summary: "A day's schedule by provider, room or staff member",
        description: "A clinician gets their own provider's appointments only.",
        params: ClinicParams,
        querystring: ScheduleQuery,
        response: { 200: ScheduleAnswer, ...errorResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { date, by, include } = request.query;
      const { setup } = await clinicSetupOf(store, id);
      const day = await listDay(store, id, date);
      // A clinician sees their own agenda only: their appointments, and by provider only their own group.
      const own = request.principal?.role === 'clinician' ? request.principal.providerId! : null;
      const shown = (include === 'all' ? day.appointments : day.appointments.filter((a) => holdsCapacity(a.status))).filter(
        (a) => own === null || a.providerId === own,
      );
      const resources = by === 'provider' ? setup.providers.filter((p) => own === null || p.id === own) : by === 'room' ? setup.rooms : setup.staff;
      const ids = (a: StoredAppointment): string[] =>
        by === 'provider' ? (a.providerId === null ? [] : [a.providerId]) : by === 'room' ? [a.roomId] : [...new Set(a.staff.map((s) => s.staffId))];
      const groups = new Map(resources.map((r) => [r.id, { resourceId: r.id, ...(r.name !== undefined ? { name: r.name } : {}), appointments: [] as StoredAppointment[] }]));
      const unassigned: StoredAppointment[] = [];
      for (const a of shown) {
        const mine = ids(a);
        if (mine.length === 0) unassigned.push(a);
        for (const rid of mine) {
          let group = groups.get(rid);
          // A resource removed from the set-up keeps its past appointments visible.
          if (!group) groups.set(rid, (group = { resourceId: rid, appointments: [] }));
          group.appointments.push(a);
        }
      }
      reply.header('etag', etag(day.version));
      return { clinicId: id, date, version: day.version, by, groups: [...groups.values()], unassigned };
    },
  );
}
