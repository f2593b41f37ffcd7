// `medsched apikey create | revoke | list`: integrations' API keys in the deployment's Redis. A new key
// is printed once (only a hash of its secret is kept); revoking keeps the record but the key stops
// working at once; list never shows a secret.
import { newApiKey, KEY_ID } from '../auth/apiKeyText.js';
import { listApiKeys, revokeApiKey, saveApiKey, type ApiKeyRecord } from '../store/apiKeys.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import { connectDeployment } from './deploymentStore.js';
import { CliError, EXIT, usageError } from './errors.js';
import { GRANT_OPTIONS, grantOf } from './grantOptions.js';
import type { Io } from './io.js';
import { COMMAND_USAGE } from './usage.js';

export async function apikeyCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(`${COMMAND_USAGE.apikey}\n`);
    return EXIT.ok;
  }
  if (sub === 'create') return create(rest, io);
  if (sub === 'revoke') return revoke(rest, io);
  if (sub === 'list') return list(rest, io);
  throw usageError(sub === undefined ? 'apikey: name a subcommand (create, revoke, list)' : `apikey: unknown subcommand '${sub}' (create, revoke, list)`);
}

async function create(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('apikey create', args, { ...GRANT_OPTIONS, name: { type: 'string' }, json: { type: 'boolean', default: false } });
  expectPositionals('apikey create', positionals, []);
  const grant = grantOf('apikey create', values);
  const name = values.name?.trim();
  if (!name || name.length > 200) throw usageError('apikey create: --name is required (1-200 characters: what the key is for, e.g. "EHR bridge")');
  const store = await connectDeployment('apikey create');
  try {
    for (let tries = 0; tries < 3; tries++) {
      const key = newApiKey();
      const record: ApiKeyRecord = {
        keyId: key.keyId,
        secretHash: key.secretHash,
        name,
        role: grant.role,
        clinics: grant.clinics,
        ...(grant.providerId !== undefined ? { providerId: grant.providerId } : {}),
        created: new Date().toISOString(),
        revoked: null,
      };
      if (!(await saveApiKey(store.redis, store.prefix, record))) continue; // that key id is taken: draw another
      if (values.json) io.out(`${JSON.stringify({ key: key.key, ...shown(record) })}\n`);
      else {
        io.out(`${key.key}\n`);
        io.err(`apikey create: key ${key.keyId} (${name}): ${grant.role} of ${grant.clinics.join(', ')}; shown once, keep it secret (send it as X-Api-Key)\n`);
      }
      return EXIT.ok;
    }
    throw new Error('could not draw an unused key id');
  } finally {
    store.redis.disconnect();
  }
}

async function revoke(args: string[], io: Io): Promise<number> {
  const { positionals } = parseCommandArgs('apikey revoke', args, {});
  const [keyId] = expectPositionals('apikey revoke', positionals, ['KEY_ID']);
  if (!KEY_ID.test(keyId!)) throw usageError(`apikey revoke: '${keyId}' is not a key id (16 hex digits: the part after msk_)`);
  const store = await connectDeployment('apikey revoke');
  try {
    const outcome = await revokeApiKey(store.redis, store.prefix, keyId!, new Date().toISOString());
    if (outcome === 'unknown') throw new CliError(`apikey revoke: no API key ${keyId}`, EXIT.failed);
    io.err(outcome === 'already' ? `apikey revoke: ${keyId} was revoked already\n` : `apikey revoke: ${keyId} revoked; it no longer works\n`);
    return EXIT.ok;
  } finally {
    store.redis.disconnect();
  }
}

async function list(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('apikey list', args, { json: { type: 'boolean', default: false } });
  expectPositionals('apikey list', positionals, []);
  const store = await connectDeployment('apikey list');
  try {
    const records = (await listApiKeys(store.redis, store.prefix)).map(shown);
    if (values.json) io.out(`${JSON.stringify(records)}\n`);
    else if (records.length === 0) io.out('no API keys\n');
    else
      for (const r of records)
        io.out(`${r.keyId}  ${r.revoked ? `revoked ${r.revoked}` : 'active'}  ${r.role}  ${r.clinics.join(',')}${r.providerId ? `  provider ${r.providerId}` : ''}  created ${r.created}  ${r.name}\n`);
    return EXIT.ok;
  } finally {
    store.redis.disconnect();
  }
}

/** A record as shown: never the secret's hash. */
function shown(record: ApiKeyRecord): Omit<ApiKeyRecord, 'secretHash'> {
  const { secretHash: _, ...rest } = record;
  return rest;
}
