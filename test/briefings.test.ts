// Daily briefings as pure functions, on the example clinic's day (examples/lakeshore-*.json) and small days
// made here: each person's agenda, the tasks inside other people's appointments (Kim's 10:30 draw inside
// Dr. Okafor's physical), the prep list, local times (a daylight-saving day too); the printable page escapes
// what it shows; the iCalendar feed parses with ical.js and matches the agenda; and who an agenda change reaches.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { agendaChanges } from '../src/briefings/agendaChanges.js';
import { briefingCalendar, eventUid } from '../src/briefings/briefingCalendar.js';
import { briefingPage } from '../src/briefings/briefingHtml.js';
import { dayBriefings, type BriefingAppointment } from '../src/briefings/dayBriefings.js';
import type { Appointment } from '../src/contract/appointment.js';
import { ClinicSetup } from '../src/contract/clinicSetup.js';
import { repoRoot } from './support/paths.js';

const DATE = '2026-11-24';
const example = (name: string) => JSON.parse(readFileSync(path.join(repoRoot, 'examples', name), 'utf8'));
const { version: _v, horizon: _h, requests: _r, ...rawSetup } = example('lakeshore-clinic.json');
const setup = ClinicSetup.parse(rawSetup);
const day = example('lakeshore-day.json').appointments as BriefingAppointment[];
const briefings = dayBriefings({ setup, date: DATE, appointments: day });
const personOf = (id: string) => {
  const found = briefings.people.find((p) => p.personId === id);
  if (!found) throw new Error(`no briefing for ${id}`);
  return found;
};

describe('the example day', () => {
  it("gives the phlebotomist the 10:30-10:40 draw inside Dr. Okafor's annual physical in exam 7 as a task", () => {
    const kim = personOf('phleb-kim-1');
    expect(kim.kind).toBe('staff');
    expect(kim.name).toBe('Kim (phlebotomist)');
    const draw = kim.tasks.find((t) => t.appointmentId === 'appt-037');
    expect(draw).toEqual({
      appointmentId: 'appt-037',
      version: 1,
      lastModified: null,
      status: 'in-progress',
      serviceId: 'annual-physical',
      serviceName: 'Annual physical with labs',
      roomId: 'exam-7',
      roomName: 'Exam room 7',
      patientId: 'pt-0053',
      start: '2026-11-24T10:30:00-06:00',
      end: '2026-11-24T10:40:00-06:00',
      startLocal: '10:30',
      endLocal: '10:40',
      skill: 'phlebotomy',
      providerId: 'dr-okafor',
      providerName: 'Dr. Amara Okafor',
      appointmentStart: '2026-11-24T10:00:00-06:00',
      appointmentEnd: '2026-11-24T10:40:00-06:00',
    });
    // Not on her own agenda: that holds the blood draws she does alone (services without a provider).
    expect(kim.agenda.map((a) => a.appointmentId)).not.toContain('appt-037');
    const own = day.filter((a) => a.providerId === null && a.staff.some((s) => s.staffId === 'phleb-kim-1') && a.status !== 'cancelled' && a.status !== 'noshow');
    expect(kim.agenda.map((a) => a.appointmentId).sort()).toEqual(own.map((a) => a.id).sort());
    expect(kim.agenda.every((a) => a.serviceId === 'blood-draw')).toBe(true);
    // Her prep: the physical's and her draws' requisitions and tubes.
    const prepIds = kim.prep.visits.map((v) => v.appointmentId);
    expect(prepIds).toContain('appt-037');
    expect(kim.prep.visits.find((v) => v.appointmentId === 'appt-037')!.items).toEqual(['lab requisition', 'blood collection tubes']);
    expect(kim.prep.totals).toEqual([
      { item: 'blood collection tubes', count: own.length + 1 },
      { item: 'lab requisition', count: own.length + 1 },
    ]);
    // Her hours that day, in local time.
    expect(kim.hours.map((h) => `${h.startLocal}-${h.endLocal}`)).toEqual(['07:00-11:30', '12:00-15:30']);
  });

  it("shows the provider her appointments in order, with who comes in when, and the staff their tasks only", () => {
    const okafor = personOf('dr-okafor');
    const mine = day.filter((a) => a.providerId === 'dr-okafor' && a.status !== 'cancelled' && a.status !== 'noshow');
    expect(okafor.agenda.map((a) => a.appointmentId)).toEqual(
      [...mine].sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id!.localeCompare(b.id!)).map((a) => a.id),
    );
    expect(okafor.tasks).toEqual([]);
    const physical = okafor.agenda.find((a) => a.appointmentId === 'appt-037')!;
    expect(physical).toMatchObject({ startLocal: '10:00', endLocal: '10:40', roomId: 'exam-7', patientId: 'pt-0053', status: 'in-progress' });
    expect(physical.staff).toEqual([
      { staffId: 'phleb-kim-1', staffName: 'Kim (phlebotomist)', skill: 'phlebotomy', start: '2026-11-24T10:30:00-06:00', end: '2026-11-24T10:40:00-06:00', startLocal: '10:30', endLocal: '10:40' },
    ]);
    expect(physical.patientName).toBeUndefined();
    // Every staff assignment inside a provider's appointment is exactly one task of that staff member.
    const assignments = day
      .filter((a) => a.providerId !== null && a.status !== 'cancelled' && a.status !== 'noshow')
      .flatMap((a) => a.staff.map((s) => `${s.staffId}|${a.id}|${s.start}`));
    const tasks = briefings.people.flatMap((p) => p.tasks.map((t) => `${p.personId}|${t.appointmentId}|${t.start}`));
    expect(tasks.map((t) => t.split('|').slice(0, 2).join('|')).sort()).toEqual(assignments.map((t) => t.split('|').slice(0, 2).join('|')).sort());
  });

  it("lists the day's prep: forms and supplies per visit with totals, and equipment to stage per room and time", () => {
    const live = day.filter((a) => a.status !== 'cancelled' && a.status !== 'noshow');
    const withPrep = live.filter((a) => (setup.services.find((s) => s.id === a.serviceId)?.prep ?? []).length > 0);
    expect(briefings.prep.visits.map((v) => v.appointmentId).sort()).toEqual(withPrep.map((a) => a.id).sort());
    const tubes = withPrep.filter((a) => setup.services.find((s) => s.id === a.serviceId)!.prep.includes('blood collection tubes')).length;
    expect(briefings.prep.totals).toContainEqual({ item: 'blood collection tubes', count: tubes });
    const ecg = briefings.prep.equipment.find((e) => e.appointmentId === 'appt-001');
    expect(ecg).toEqual({
      equipmentId: 'ecg-cart',
      name: 'ECG cart',
      count: 1,
      roomId: 'exam-1',
      roomName: 'Exam room 1',
      appointmentId: 'appt-001',
      start: '2026-11-24T07:00:00-06:00',
      end: '2026-11-24T07:20:00-06:00',
      startLocal: '07:00',
      endLocal: '07:20',
    });
    expect(briefings.prep.equipment.length).toBe(live.reduce((n, a) => n + a.equipment.length, 0));
  });

  it('leaves out cancelled and no-show visits, held places and other dates, and names patients when their names are given', () => {
    const physical = day.find((a) => a.id === 'appt-037')!;
    const variants: BriefingAppointment[] = [
      { ...physical, id: 'x-cancelled', status: 'cancelled' },
      { ...physical, id: 'x-noshow', status: 'noshow' },
      { ...physical, id: 'x-held', hold: { expiresAt: '2026-11-24T09:00:00Z', caller: 'desk' } },
      { ...physical, id: 'x-tomorrow', start: '2026-11-25T10:00:00-06:00', end: '2026-11-25T10:40:00-06:00' },
      { ...physical, version: 4, history: [{ at: '2026-11-23T15:00:00.000Z' }, { at: '2026-11-24T16:05:00.000Z' }] },
    ];
    const b = dayBriefings({ setup, date: DATE, appointments: variants, patientNames: new Map([['pt-0053', 'Ana Ruiz']]) });
    const okafor = b.people.find((p) => p.personId === 'dr-okafor')!;
    expect(okafor.agenda.map((a) => a.appointmentId)).toEqual(['appt-037']);
    expect(okafor.agenda[0]).toMatchObject({ patientName: 'Ana Ruiz', version: 4, lastModified: '2026-11-24T16:05:00.000Z' });
    expect(b.people.find((p) => p.personId === 'phleb-kim-1')!.tasks[0]!.patientName).toBe('Ana Ruiz');
    expect(b.prep.visits.map((v) => v.appointmentId)).toEqual(['appt-037']);
    // Everyone of the set-up has a briefing, with or without appointments.
    expect(b.people.map((p) => p.personId).sort()).toEqual([...setup.providers.map((p) => p.id), ...setup.staff.map((s) => s.id)].sort());
  });
});

/** A small clinic on a daylight-saving day in Chicago (clocks go forward at 02:00 on 2026-03-08). */
const dstSetup = ClinicSetup.parse({
  clinic: { id: 'dst', name: 'Spring <Clinic> & Co', timezone: 'America/Chicago' },
  slotMinutes: 5,
  providers: [{ id: 'dr-a', name: 'Dr. A', specialties: ['gp'], availability: [{ start: '2026-03-08T08:00:00-05:00', end: '2026-03-08T17:00:00-05:00' }] }],
  rooms: [{ id: 'room-1', name: 'Room <1>', capabilities: ['exam'], availability: [{ start: '2026-03-08T08:00:00-05:00', end: '2026-03-08T17:00:00-05:00' }] }],
  staff: [
    { id: 'st-draw', name: 'Pat "the phlebotomist"', skills: ['phlebotomy'], availability: [{ start: '2026-03-08T08:00:00-05:00', end: '2026-03-08T17:00:00-05:00' }] },
    { id: 'st-other', skills: ['ecg'], availability: [{ start: '2026-03-08T08:00:00-05:00', end: '2026-03-08T17:00:00-05:00' }] },
  ],
  equipment: [],
  services: [
    {
      id: 'physical',
      name: '<script>alert("x")</script>Physical',
      minutes: 40,
      specialty: 'gp',
      roomCapability: 'exam',
      staffTasks: [{ skill: 'phlebotomy', offsetMinutes: 30, minutes: 10 }],
      prep: ['tubes & <labels>'],
    },
  ],
});
const physicalAt = (id: string, start: string, end: string, draw: [string, string]): BriefingAppointment => ({
  id,
  requestId: `r-${id}`,
  patientId: `p-${id}`,
  serviceId: 'physical',
  providerId: 'dr-a',
  roomId: 'room-1',
  start,
  end,
  equipment: [],
  staff: [{ staffId: 'st-draw', skill: 'phlebotomy', start: draw[0], end: draw[1] }],
  status: 'booked',
  version: 3,
  history: [{ at: '2026-03-01T12:00:00.000Z' }],
});
const dstDay = [
  physicalAt('v1', '2026-03-08T09:00:00-05:00', '2026-03-08T09:40:00-05:00', ['2026-03-08T09:30:00-05:00', '2026-03-08T09:40:00-05:00']),
  physicalAt('v2', '2026-03-08T15:00:00Z', '2026-03-08T15:40:00Z', ['2026-03-08T15:30:00Z', '2026-03-08T15:40:00Z']),
];

describe('a daylight-saving day', () => {
  it('writes local times with the offset in force (CDT, -05:00), whatever offset the appointment was stored with', () => {
    const b = dayBriefings({ setup: dstSetup, date: '2026-03-08', appointments: dstDay });
    const a = b.people.find((p) => p.personId === 'dr-a')!;
    expect(a.agenda.map((x) => [x.start, x.startLocal, x.endLocal])).toEqual([
      ['2026-03-08T09:00:00-05:00', '09:00', '09:40'],
      ['2026-03-08T10:00:00-05:00', '10:00', '10:40'],
    ]);
    expect(b.people.find((p) => p.personId === 'st-draw')!.tasks.map((t) => `${t.startLocal}-${t.endLocal}`)).toEqual(['09:30-09:40', '10:30-10:40']);
    expect(b.people.find((p) => p.personId === 'st-other')!).toMatchObject({ agenda: [], tasks: [] });
  });
});

describe('the printable page', () => {
  it('escapes every name, id and prep line it shows', () => {
    const b = dayBriefings({ setup: dstSetup, date: '2026-03-08', appointments: dstDay, patientNames: new Map([['p-v1', '<img src=x onerror=alert(1)> O\'Brien & "Sons"']]) });
    const page = briefingPage(b, b.people);
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).not.toMatch(/<script|<img|<labels>|<1>|<Clinic>/);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;Physical');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; O&#39;Brien &amp; &quot;Sons&quot;');
    expect(page).toContain('tubes &amp; &lt;labels&gt;');
    expect(page).toContain('Pat &quot;the phlebotomist&quot;');
    expect(page).toContain('Spring &lt;Clinic&gt; &amp; Co');
    // One section (printed sheet) per person, with the task at its local time.
    expect(page.match(/<section>/g)?.length).toBe(b.people.length);
    expect(page).toMatch(/<td>09:30–09:40<\/td><td>phlebotomy<\/td>/);
  });
});

describe('the iCalendar feed', () => {
  type Parsed = { uid: string; start: number; end: number; summary: string; location: string; description: string; sequence: number; lastModified: number | null; stamp: number };
  function parse(text: string): { name: string; events: Parsed[] } {
    const calendar = new ICAL.Component(ICAL.parse(text));
    const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
      const e = new ICAL.Event(vevent);
      const lastModified = vevent.getFirstPropertyValue('last-modified') as ICAL.Time | null;
      return {
        uid: e.uid,
        start: e.startDate.toJSDate().getTime(),
        end: e.endDate.toJSDate().getTime(),
        summary: e.summary,
        location: e.location,
        description: e.description,
        sequence: e.sequence,
        lastModified: lastModified ? lastModified.toJSDate().getTime() : null,
        stamp: (vevent.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate().getTime(),
      };
    });
    return { name: String(calendar.getFirstPropertyValue('x-wr-calname')), events };
  }

  it("parses with ical.js and matches the phlebotomist's agenda and tasks on the example day, one event each", () => {
    const kim = personOf('phleb-kim-1');
    const text = briefingCalendar({ clinicId: 'lakeshore', clinicName: 'Lakeshore Community Health', timezone: 'America/Chicago', personId: kim.personId, personName: kim.name!, briefings: [kim], generatedAt: Date.parse('2026-11-24T06:00:00Z'), refreshMinutes: 15 });
    const { name, events } = parse(text);
    expect(name).toBe('Lakeshore Community Health: Kim (phlebotomist)');
    const expected = [
      ...kim.agenda.map((a) => ({ uid: eventUid('lakeshore', 'phleb-kim-1', a, 'staff'), item: a })),
      ...kim.tasks.map((t) => ({ uid: eventUid('lakeshore', 'phleb-kim-1', t, 'task0'), item: t })),
    ];
    expect(events.map((e) => e.uid).sort()).toEqual(expected.map((x) => x.uid).sort());
    for (const { uid, item } of expected) {
      const e = events.find((x) => x.uid === uid)!;
      expect(e.start, uid).toBe(Date.parse(item.start));
      expect(e.end, uid).toBe(Date.parse(item.end));
      expect(e.location).toBe(item.roomName);
      expect(e.sequence).toBe(item.version);
      expect(e.description).toContain(`Patient: ${item.patientId}`);
      expect(e.description).toContain(`${item.startLocal}–${item.endLocal} (America/Chicago)`);
    }
    const draw = events.find((e) => e.uid === eventUid('lakeshore', 'phleb-kim-1', { appointmentId: 'appt-037' }, 'task0'))!;
    expect(draw.start).toBe(Date.parse('2026-11-24T10:30:00-06:00'));
    expect(draw.end).toBe(Date.parse('2026-11-24T10:40:00-06:00'));
    expect(draw.summary).toBe('phlebotomy: Annual physical with labs with Dr. Amara Okafor · Exam room 7');
    expect(draw.description).toContain('Prep: lab requisition, blood collection tubes');
    // Unknown last change: no LAST-MODIFIED, DTSTAMP the feed's making.
    expect(draw.lastModified).toBeNull();
    expect(draw.stamp).toBe(Date.parse('2026-11-24T06:00:00Z'));
  });

  it('keeps the UID when a visit moves, with SEQUENCE and LAST-MODIFIED from the new version, and escapes text (folding, commas, newlines)', () => {
    const before = dayBriefings({ setup: dstSetup, date: '2026-03-08', appointments: dstDay }).people.find((p) => p.personId === 'st-draw')!;
    const moved = dstDay.map((a) =>
      a.id === 'v1'
        ? { ...a, start: '2026-03-08T11:00:00-05:00', end: '2026-03-08T11:40:00-05:00', staff: [{ ...a.staff[0]!, start: '2026-03-08T11:30:00-05:00', end: '2026-03-08T11:40:00-05:00' }], version: 4, history: [...a.history!, { at: '2026-03-08T13:05:00.000Z' }] }
        : a,
    );
    const after = dayBriefings({ setup: dstSetup, date: '2026-03-08', appointments: moved }).people.find((p) => p.personId === 'st-draw')!;
    const feed = (b: typeof before) => parse(briefingCalendar({ clinicId: 'dst', clinicName: 'Spring, <Clinic>; & Co', timezone: 'America/Chicago', personId: 'st-draw', personName: 'Pat "the phlebotomist"', briefings: [b], generatedAt: 0, refreshMinutes: 15 }));
    const [was, is] = [feed(before), feed(after)];
    const uid = eventUid('dst', 'st-draw', { appointmentId: 'v1' }, 'task0');
    const w = was.events.find((e) => e.uid === uid)!;
    const i = is.events.find((e) => e.uid === uid)!;
    expect([w.sequence, i.sequence]).toEqual([3, 4]);
    expect(w.start).toBe(Date.parse('2026-03-08T09:30:00-05:00'));
    expect(i.start).toBe(Date.parse('2026-03-08T11:30:00-05:00'));
    expect(i.lastModified).toBe(Date.parse('2026-03-08T13:05:00Z'));
    expect(i.stamp).toBe(i.lastModified);
    expect(is.name).toBe('Spring, <Clinic>; & Co: Pat "the phlebotomist"');
    expect(i.summary).toBe('phlebotomy: <script>alert("x")</script>Physical with Dr. A · Room <1>');
    expect(i.description.split('\n')).toContain('Prep: tubes & <labels>');
    // The other visit's event did not change.
    const other = eventUid('dst', 'st-draw', { appointmentId: 'v2' }, 'task0');
    expect(is.events.find((e) => e.uid === other)).toEqual(was.events.find((e) => e.uid === other));
  });
});

describe('whose agenda a change reaches', () => {
  const base = dstDay as Appointment[];
  it('a visit with a staff task moved: its provider and that staff member, with the appointment; nobody else', () => {
    const moved = base.map((a) => (a.id === 'v1' ? { ...a, start: '2026-03-08T11:00:00-05:00', end: '2026-03-08T11:40:00-05:00', staff: [{ ...a.staff[0]!, start: '2026-03-08T11:30:00-05:00', end: '2026-03-08T11:40:00-05:00' }] } : a));
    expect(agendaChanges(base, moved)).toEqual([
      { kind: 'provider', personId: 'dr-a', appointmentIds: ['v1'] },
      { kind: 'staff', personId: 'st-draw', appointmentIds: ['v1'] },
    ]);
  });

  it("only the task moved inside an unchanged visit: the staff member alone; the task given to someone else: both staff", () => {
    const drawLater = base.map((a) => (a.id === 'v2' ? { ...a, staff: [{ ...a.staff[0]!, start: '2026-03-08T15:25:00Z', end: '2026-03-08T15:35:00Z' }] } : a));
    expect(agendaChanges(base, drawLater)).toEqual([{ kind: 'staff', personId: 'st-draw', appointmentIds: ['v2'] }]);
    const handedOver = base.map((a) => (a.id === 'v2' ? { ...a, staff: [{ ...a.staff[0]!, staffId: 'st-other' }] } : a));
    expect(agendaChanges(base, handedOver)).toEqual([
      { kind: 'staff', personId: 'st-draw', appointmentIds: ['v2'] },
      { kind: 'staff', personId: 'st-other', appointmentIds: ['v2'] },
    ]);
  });

  it('a cancellation: everyone on the visit; a status change that keeps the place (check-in), or no change: nobody', () => {
    const cancelled = base.map((a) => (a.id === 'v1' ? { ...a, status: 'cancelled' as const } : a));
    expect(agendaChanges(base, cancelled).map((c) => `${c.kind}:${c.personId}:${c.appointmentIds.join(',')}`)).toEqual(['provider:dr-a:v1', 'staff:st-draw:v1']);
    const checkedIn = base.map((a) => (a.id === 'v1' ? { ...a, status: 'checked-in' as const } : a));
    expect(agendaChanges(base, checkedIn)).toEqual([]);
    expect(agendaChanges(base, base)).toEqual([]);
  });
});
