// Briefings as one printable HTML page (pure): a section per person, each starting on a new sheet.
// Every value that comes from the set-up, the schedule or a patient's record goes through escape-html;
// only this file's own markup is written as is. The one style block is allowed by its hash in the page's
// Content-Security-Policy (scripts, images and everything else stay forbidden).
import { createHash } from 'node:crypto';
import escapeHtml from 'escape-html';
import type { DayBriefings, PersonBriefing, PrepList } from '../contract/briefing.js';

/** Markup this file wrote (or escaped already). */
type Html = { readonly markup: string };

/** A template whose every interpolated value is escaped, unless it is markup from this file; arrays are joined. */
function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += piece(value) + strings[i + 1]!;
  });
  return { markup: out };
}
function piece(value: unknown): string {
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value !== null && typeof value === 'object' && 'markup' in value) return (value as Html).markup;
  return escapeHtml(value === undefined || value === null ? '' : String(value));
}

const STYLE = [
  'body{font:12pt/1.35 system-ui,sans-serif;margin:1.5em;color:#000}',
  'section{break-after:page;page-break-after:always}',
  'section:last-of-type{break-after:auto;page-break-after:auto}',
  'h1{font-size:16pt;margin:0 0 .2em}h2{font-size:13pt;margin:1em 0 .3em}',
  '.sub{color:#444;margin:0 0 .8em}',
  'table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.2em .4em;text-align:left;vertical-align:top}',
  'th{background:#eee}.none{color:#555;font-style:italic}',
].join('');

/** The Content-Security-Policy of a briefing page: nothing but its own style block. */
export const BRIEFING_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

const kindLabel = { provider: 'Provider', staff: 'Staff' } as const;
const label = (id: string, name: string | undefined) => (name !== undefined ? `${name} (${id})` : id);
const patient = (id: string, name: string | undefined) => (name !== undefined ? `${name} (${id})` : id);
const span = (x: { startLocal: string; endLocal: string }) => `${x.startLocal}–${x.endLocal}`;
/** Who else works in an agenda item (a staff member's own blood draw does not list them again). */
const others = <T extends { staffId: string }>(b: PersonBriefing, staff: readonly T[]) => staff.filter((s) => !(b.kind === 'staff' && s.staffId === b.personId));

function agendaTable(b: PersonBriefing): Html {
  if (b.agenda.length === 0) return html`<p class="none">No appointments of your own.</p>`;
  return html`<table><thead><tr><th>Time</th><th>Room</th><th>Service</th><th>Patient</th><th>With</th><th>Equipment</th></tr></thead><tbody>${b.agenda.map(
    (a) =>
      html`<tr><td>${span(a)}</td><td>${label(a.roomId, a.roomName)}</td><td>${label(a.serviceId, a.serviceName)}</td><td>${patient(a.patientId, a.patientName)}</td><td>${others(b, a.staff).map(
        (s, i) => html`${i > 0 ? html`<br>` : ''}${label(s.staffId, s.staffName)}: ${s.skill} ${span(s)}`,
      )}</td><td>${a.equipment.map((e, i) => html`${i > 0 ? html`<br>` : ''}${e.count} × ${label(e.equipmentId, e.name)}`)}</td></tr>`,
  )}</tbody></table>`;
}

function tasksTable(b: PersonBriefing): Html {
  if (b.tasks.length === 0) return html`<p class="none">No tasks in other people's appointments.</p>`;
  return html`<table><thead><tr><th>Time</th><th>Task</th><th>Room</th><th>In</th><th>Patient</th></tr></thead><tbody>${b.tasks.map(
    (t) =>
      html`<tr><td>${span(t)}</td><td>${t.skill}</td><td>${label(t.roomId, t.roomName)}</td><td>${label(t.serviceId, t.serviceName)}${
        t.providerId !== null ? html` with ${label(t.providerId, t.providerName)}` : ''
      }</td><td>${patient(t.patientId, t.patientName)}</td></tr>`,
  )}</tbody></table>`;
}

function prepBlock(prep: PrepList): Html {
  if (prep.visits.length === 0 && prep.equipment.length === 0) return html`<p class="none">Nothing to prepare.</p>`;
  return html`${
    prep.visits.length > 0
      ? html`<table><thead><tr><th>Time</th><th>Room</th><th>Service</th><th>Patient</th><th>Forms and supplies</th></tr></thead><tbody>${prep.visits.map(
          (v) => html`<tr><td>${span(v)}</td><td>${label(v.roomId, v.roomName)}</td><td>${label(v.serviceId, v.serviceName)}</td><td>${patient(v.patientId, v.patientName)}</td><td>${v.items.join(', ')}</td></tr>`,
        )}</tbody></table><p>In all: ${prep.totals.map((t, i) => html`${i > 0 ? ', ' : ''}${t.count} × ${t.item}`)}</p>`
      : ''
  }${
    prep.equipment.length > 0
      ? html`<h2>Equipment to stage</h2><table><thead><tr><th>Time</th><th>Room</th><th>Equipment</th></tr></thead><tbody>${prep.equipment.map(
          (e) => html`<tr><td>${span(e)}</td><td>${label(e.roomId, e.roomName)}</td><td>${e.count} × ${label(e.equipmentId, e.name)}</td></tr>`,
        )}</tbody></table>`
      : ''
  }`;
}

function section(day: DayBriefings, b: PersonBriefing): Html {
  const hours = b.hours.length > 0 ? b.hours.map(span).join(', ') : 'not scheduled to work';
  return html`<section><h1>${label(b.personId, b.name)}</h1><p class="sub">${kindLabel[b.kind]} · ${day.clinicName ?? day.clinicId} · ${day.date} (${day.timezone}) · hours: ${hours}</p><h2>Agenda</h2>${agendaTable(
    b,
  )}<h2>Tasks in other appointments</h2>${tasksTable(b)}<h2>Prep</h2>${prepBlock(b.prep)}</section>`;
}

/** The printable page of `people` (each a briefing of `day`). */
export function briefingPage(day: DayBriefings, people: readonly PersonBriefing[]): string {
  const title = people.length === 1 ? `Briefing: ${people[0]!.name ?? people[0]!.personId}, ${day.date}` : `Briefings, ${day.clinicName ?? day.clinicId}, ${day.date}`;
  const body = people.length > 0 ? people.map((b) => section(day, b)) : html`<p class="none">Nobody has anything on this day.</p>`;
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>${{ markup: STYLE }}</style></head><body>${body}</body></html>`.markup;
}
