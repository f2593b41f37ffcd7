// A real SMTP server on loopback (smtp-server) for the reminder tests, keeping every message it accepted,
// parsed with mailparser. It can stall: the next message's DATA is read in full but never answered (no
// "250"), as a server that hangs mid-send; such a message was never accepted and is not kept, but its
// headers are noted in `stalled`.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type SmtpSink = {
  port: number;
  /** Accepted messages, in order. */
  messages: ParsedMail[];
  /** Messages whose DATA was held without an answer. */
  stalled: ParsedMail[];
  /** The next message's DATA is held unanswered; resolves once it has arrived. */
  stallNext(): Promise<ParsedMail>;
  /** Resolves once `n` messages were accepted (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
};

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const stalled: ParsedMail[] = [];
  let stall: ((mail: ParsedMail) => void) | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const hold = stall;
        stall = null;
        void simpleParser(raw).then((mail) => {
          if (hold) {
            stalled.push(mail);
            hold(mail); // and never call back: the client waits for a 250 that does not come
            return;
          }
          messages.push(mail);
          callback();
        });
      });
    },
  });
  server.on('error', () => {}); // a client killed mid-DATA
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    stalled,
    stallNext: () => new Promise<ParsedMail>((resolve) => (stall = resolve)),
    async waitFor(n, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > deadline) throw new Error(`the SMTP server got ${messages.length} of ${n} messages within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
