// The few HTML pages of reminders (pure): what a patient sees on opening a confirm/cancel link (a button that
// posts, so a mail scanner following the link changes nothing), the outcome, and the day's printable
// postcard list. Every value from the store goes through escape-html; no script, no style (the API's CSP
// allows neither).
import escapeHtml from 'escape-html';
import type { PostcardEntry } from './channels/postcardChannel.js';
import type { Language } from './reminderMessage.js';

const page = (language: Language, title: string, body: string) =>
  `<!doctype html>\n<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>\n<body>\n${body}\n</body></html>\n`;

const BUTTON: Record<Language, Record<'confirm' | 'cancel', string>> = {
  en: { confirm: 'Yes, I will come', cancel: 'Cancel my appointment' },
  es: { confirm: 'Sí, asistiré', cancel: 'Cancelar mi cita' },
};

/** The page of a link: its message, and the button that does it while it can still be done. */
export function linkPage(language: Language, action: 'confirm' | 'cancel', title: string, message: string, canAct: boolean): string {
  const form = canAct ? `<form method="post"><button type="submit">${escapeHtml(BUTTON[language][action])}</button></form>` : '';
  return page(language, title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n${form}`);
}

/** One card per patient, each with the text of the reminder, for printing. */
export function postcardsPage(clinicName: string, date: string, cards: PostcardEntry[]): string {
  const title = `${clinicName}: postcards to send on ${date} (${cards.length})`;
  const items = cards.map(
    (c) =>
      `<article>\n<h2>${escapeHtml(c.name)}</h2>\n<address>${addressLines(c).map(escapeHtml).join('<br>')}</address>\n<p>${escapeHtml(c.start)} · ${escapeHtml(c.appointmentId)}</p>\n<pre>${escapeHtml(c.text)}</pre>\n</article>`,
  );
  return page('en', title, `<h1>${escapeHtml(title)}</h1>\n${items.join('\n<hr>\n')}`);
}

/** The address as printed on a card; a card without one says so (its record lost it since it was listed). */
function addressLines(c: PostcardEntry): string[] {
  const a = c.address;
  if (!a) return ['(no postal address on file)'];
  return [...a.lines, [a.postalCode, a.city, a.region].filter(Boolean).join(' '), ...(a.country ? [a.country] : [])];
}
