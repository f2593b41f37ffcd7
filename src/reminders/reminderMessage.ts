// A reminder's words, in the patient's language (English and Spanish to start), with the date and time
// written the local way in the clinic's time zone, whatever the zone and the daylight-saving offset of the
// moment the message is written (pure: everything it needs is given).
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { enUS, es } from 'date-fns/locale';
import type { ReminderChannel } from '../contract/reminderSettings.js';

export type Language = 'en' | 'es';

export type ReminderFacts = {
  language: Language;
  channel: ReminderChannel;
  patientName: string;
  clinicName: string;
  serviceName: string;
  providerName: string | null;
  /** The appointment's start (epoch ms) and the clinic's IANA zone. */
  startMs: number;
  timeZone: string;
  /** Absent on a postcard and a call (nothing to click). */
  links: { confirm: string; cancel: string } | null;
};

export type ReminderText = { subject: string; text: string };

/** The local date and time of an instant in the clinic's zone: "Monday, November 2, 2026" / "9:00 AM"; "lunes 2 de noviembre de 2026" / "9:00". */
export function localWhen(startMs: number, timeZone: string, language: Language): { date: string; time: string } {
  const local = new TZDate(startMs, timeZone);
  return language === 'es'
    ? { date: format(local, "EEEE d 'de' MMMM 'de' yyyy", { locale: es }), time: format(local, 'H:mm', { locale: es }) }
    : { date: format(local, 'EEEE, MMMM d, yyyy', { locale: enUS }), time: format(local, 'h:mm a', { locale: enUS }) };
}

type Words = {
  subject: (f: Fields) => string;
  greeting: (f: Fields) => string;
  body: (f: Fields) => string;
  confirm: string;
  cancel: string;
  closing: string;
  short: (f: Fields) => string;
  spoken: (f: Fields) => string;
};
type Fields = { name: string; clinic: string; service: string; withWhom: string; date: string; time: string };

const WORDS: Record<Language, Words> = {
  en: {
    subject: (f) => `Reminder: your appointment on ${f.date} at ${f.time}`,
    greeting: (f) => `Hello ${f.name},`,
    body: (f) => `This is a reminder of your ${f.service} appointment at ${f.clinic} on ${f.date} at ${f.time}${f.withWhom ? ` with ${f.withWhom}` : ''}.`,
    confirm: 'To confirm that you will come:',
    cancel: 'To cancel the appointment:',
    closing: 'If you need another time, please call the clinic.',
    short: (f) => `${f.clinic}: reminder of your appointment on ${f.date} at ${f.time}.`,
    spoken: (f) =>
      `Hello ${f.name}. This is ${f.clinic} reminding you of your ${f.service} appointment on ${f.date} at ${f.time}. If you cannot come, please call the clinic.`,
  },
  es: {
    subject: (f) => `Recordatorio: su cita del ${f.date} a las ${f.time}`,
    greeting: (f) => `Hola, ${f.name}:`,
    body: (f) => `Le recordamos su cita de ${f.service} en ${f.clinic} el ${f.date} a las ${f.time}${f.withWhom ? ` con ${f.withWhom}` : ''}.`,
    confirm: 'Para confirmar su asistencia:',
    cancel: 'Para cancelar la cita:',
    closing: 'Si necesita otro horario, llame a la clínica.',
    short: (f) => `${f.clinic}: recordatorio de su cita del ${f.date} a las ${f.time}.`,
    spoken: (f) =>
      `Hola, ${f.name}. Le llamamos de ${f.clinic} para recordarle su cita de ${f.service} el ${f.date} a las ${f.time}. Si no puede venir, llame a la clínica.`,
  },
};

/** The message for its channel: an e-mail (subject and text), an SMS (short, with the links), a call's script, a postcard's text. */
export function renderReminder(f: ReminderFacts): ReminderText {
  const words = WORDS[f.language];
  const { date, time } = localWhen(f.startMs, f.timeZone, f.language);
  const fields: Fields = { name: f.patientName, clinic: f.clinicName, service: f.serviceName, withWhom: f.providerName ?? '', date, time };
  const subject = words.subject(fields);
  const links = f.links ? [`${words.confirm} ${f.links.confirm}`, `${words.cancel} ${f.links.cancel}`] : [];
  switch (f.channel) {
    case 'email':
      return { subject, text: [words.greeting(fields), '', words.body(fields), '', ...links.flatMap((l) => [l, '']), words.closing, ''].join('\n') };
    case 'sms':
      return { subject, text: [words.short(fields), ...links].join('\n') };
    case 'voice':
      return { subject, text: words.spoken(fields) };
    case 'postcard':
      return { subject, text: [words.greeting(fields), words.body(fields), words.closing].join('\n') };
  }
}
