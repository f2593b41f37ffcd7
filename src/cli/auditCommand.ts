// `medsched audit verify`: walks an audit chain, a clinic's (or the deployment's) in Redis or an exported
// JSON-lines file, and names the first entry that breaks it. The checking itself is src/audit/verifyChain.ts.
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { ClinicId } from '../api/params.js';
import { endChain, startChain, stepChain, type ChainBreak, type ChainState } from '../audit/verifyChain.js';
import { clinicTrail, deploymentTrail, readAuditHead, readAuditPage, type AuditTrail } from '../store/auditLog.js';
import { clinicKeys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { parseCommandArgs } from './args.js';
import { connectDeployment } from './deploymentStore.js';
import { CliError, EXIT, usageError } from './errors.js';
import type { Io } from './io.js';
import { COMMAND_USAGE } from './usage.js';

const PAGE = 1_000;

export async function auditCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(`${COMMAND_USAGE.audit}\n`);
    return EXIT.ok;
  }
  if (sub !== 'verify') throw usageError(sub === undefined ? 'audit: name a subcommand (verify)' : `audit: unknown subcommand '${sub}' (verify)`);
  const { values, positionals } = parseCommandArgs('audit verify', rest, {
    clinic: { type: 'string' },
    deployment: { type: 'boolean', default: false },
    file: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.out(`${COMMAND_USAGE.audit}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw usageError(`audit verify: unexpected argument '${positionals[0]}'`);
  const sources = [values.clinic !== undefined, values.deployment, values.file !== undefined].filter(Boolean).length;
  if (sources !== 1) throw usageError('audit verify: give exactly one of --clinic ID, --deployment or --file FILE');
  if (values.file !== undefined) return verifyFile(values.file, io);
  if (values.clinic !== undefined && !ClinicId.safeParse(values.clinic).success)
    throw usageError(`audit verify: --clinic '${values.clinic}' is not a clinic id (1-64 letters, digits, . _ -)`);

  const store = await connectDeployment('audit verify');
  try {
    const trail = values.clinic !== undefined ? clinicTrail(store.prefix, values.clinic) : deploymentTrail(store.prefix);
    const name = values.clinic !== undefined ? `the audit trail of clinic '${values.clinic}'` : "the deployment's audit trail";
    return await verifyTrail(store, trail, name, io);
  } finally {
    store.redis.disconnect();
  }
}

async function verifyTrail(store: Store, trail: AuditTrail, name: string, io: Io): Promise<number> {
  let state = startChain(true);
  let cursor = '-';
  // The last pages' ids by seq, to name an entry found past the head.
  let recent = new Map<number, string>();
  for (;;) {
    const page = await readAuditPage(store, trail, cursor, '+', PAGE);
    if (page.length === PAGE) recent = new Map();
    for (const { id, raw } of page) {
      const step = stepChain(state, raw, { id });
      if (!step.ok) return brokenAt(name, step.broken, io);
      state = step.state;
      recent.set(state.last!.seq, id);
    }
    if (page.length > 0) cursor = `(${page[page.length - 1]!.id}`;
    if (page.length === PAGE) continue;
    // At the end as read. The head moves with every append, in the same step: entries appended since the
    // last page put it further on, so read on; a head that stays ahead of the stream means lost entries.
    const head = await readAuditHead(store, trail);
    if (head !== null && (state.last?.seq ?? 0) < head.seq) {
      const more = await readAuditPage(store, trail, cursor, '+', 1);
      if (more.length > 0) continue;
    }
    if (head === null && state.last === null) {
      if (trail.clinicId !== null && (await store.redis.exists(clinicKeys(store.prefix, trail.clinicId).setup)) === 1)
        return brokenAt(name, { kind: 'removed', seq: null, id: null, line: null, message: 'the clinic exists but its audit trail and head are gone: removed' }, io);
      throw new CliError(`audit verify: there is no ${name.replace(/^the /, '')} under prefix '${store.prefix}' (check MEDSCHED_PREFIX)`);
    }
    const end = endChain(state, head);
    if (end) {
      const firstPast = head !== null ? recent.get(head.seq + 1) : undefined;
      return brokenAt(name, firstPast ? { ...end, seq: head!.seq + 1, id: firstPast, message: `entry seq ${head!.seq + 1} (stream id ${firstPast}): ${end.message}` } : end, io);
    }
    io.out(`ok: ${name} is unbroken: ${state.count} entries (seq 1..${state.last?.seq ?? 0}), head ${head?.hash ?? '-'}\n`);
    return EXIT.ok;
  }
}

async function verifyFile(file: string, io: Io): Promise<number> {
  try {
    await access(file);
  } catch {
    throw new CliError(`audit verify: cannot read '${file}'`);
  }
  let state: ChainState = startChain(false);
  let line = 0;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return brokenAt(`the export ${file}`, { kind: 'malformed', seq: null, id: null, line, message: `line ${line}: not JSON` }, io);
    }
    const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : null;
    const step = stepChain(state, raw, { id, line });
    if (!step.ok) return brokenAt(`the export ${file}`, step.broken, io);
    state = step.state;
  }
  if (state.last === null) {
    io.out(`ok: the export ${file} holds no entries\n`);
    return EXIT.ok;
  }
  const from = state.first!.seq === 1 ? 'from the start' : `from seq ${state.first!.seq} (the entries before are not in the file)`;
  io.out(
    `ok: the export ${file} is unbroken: ${state.count} entries (seq ${state.first!.seq}..${state.last.seq}, ${from}); ` +
      `last hash ${state.last.hash} (the trail's head when the export was whole: compare with audit verify --clinic)\n`,
  );
  return EXIT.ok;
}

function brokenAt(name: string, broken: ChainBreak, io: Io): number {
  io.out(`broken: ${name}: ${broken.message}\n`);
  return EXIT.failed;
}
