import type { Command } from 'commander';
import { KeyService } from '../keys/index.ts';
import { describeLimits, type KeyLimits } from '../keys/limits.ts';
import { openStore } from '../ports.ts';
import { configOrExit } from './load-config.ts';

async function withKeys<T>(fn: (keys: KeyService) => Promise<T>): Promise<T> {
  const config = configOrExit();
  const store = await openStore(config);
  try {
    return await fn(new KeyService(store));
  } finally {
    await store.close();
  }
}

const date = (ms: number | null) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '-');

interface LimitFlags { rpm?: string; imagesPerDay?: string; imagesPerMonth?: string; concurrent?: string; megapixelsPerMonth?: string }

/** The limit flags shared by `keys create` and `keys update`. */
function limitOptions(cmd: Command, clearing: boolean): Command {
  const tail = clearing ? ' (0 = back to the server default)' : '';
  return cmd
    .option('--rpm <n>', `requests per minute${tail}`)
    .option('--images-per-day <n>', `images per UTC day${tail}`)
    .option('--images-per-month <n>', `images per UTC month${tail}`)
    .option('--concurrent <n>', `edits in flight at once${tail}`)
    .option('--megapixels-per-month <n>', `spend budget: output megapixels per UTC month${tail}`);
}

function parseLimits(flags: LimitFlags): KeyLimits {
  const out: KeyLimits = {};
  for (const name of ['rpm', 'imagesPerDay', 'imagesPerMonth', 'concurrent', 'megapixelsPerMonth'] as const) {
    const raw = flags[name];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || (name !== 'megapixelsPerMonth' && !Number.isInteger(value))) {
      process.stderr.write(`--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} takes a number of 0 or more, not '${raw}'.\n`);
      process.exit(2);
    }
    out[name] = value;
  }
  return out;
}

export function keysCommands(program: Command) {
  const keys = program.command('keys').description('Manage API keys (stored hashed), their rate limits and quotas');
  limitOptions(keys.command('create').description('Create a key and print it once').option('--name <name>', 'a label for the key')
    .option('--admin', 'an admin key: opens /v1/admin and the console (/console.html)'), false)
    .action((opts: LimitFlags & { name?: string; admin?: boolean }) => withKeys(async (k) => {
      const limits = Object.fromEntries(Object.entries(parseLimits(opts)).filter(([, v]) => v > 0)) as KeyLimits;
      const key = await k.create(opts.name ?? null, Object.keys(limits).length ? limits : null, opts.admin ? ['admin'] : []);
      process.stdout.write(`${key.secret}\n`);
      process.stderr.write(`Created ${opts.admin ? 'admin key ' : ''}${key.id}${Object.keys(limits).length ? ` (${describeLimits(limits)})` : ''}. This is the only time the key is shown.\n`);
      // On stderr, so `KEY=$(retouch keys create)` still captures the key alone.
      process.stderr.write(`Webhook signing secret: ${key.webhookSecret} (again with \`retouch keys webhook-secret ${key.id}\`)\n`);
    }));
  keys.command('webhook-secret').description("Print a key's webhook signing secret (whsec_…), made now for older keys").argument('<id>')
    .action((id: string) => withKeys(async (k) => {
      const secret = await k.webhookSecret(id);
      if (!secret) {
        process.stderr.write(`No stored key with id ${id}. \`retouch keys list\` shows the ids (keys from RETOUCH_API_KEYS have no webhook secret).\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${secret}\n`);
    }));
  limitOptions(keys.command('update').description("Change a key's rate limits and quotas").argument('<id>'), true)
    .action((id: string, opts: LimitFlags) => withKeys(async (k) => {
      const changes = parseLimits(opts);
      if (Object.keys(changes).length === 0) {
        process.stderr.write('Nothing to change: give --rpm, --images-per-day, --images-per-month, --concurrent or --megapixels-per-month.\n');
        process.exitCode = 2;
        return;
      }
      if (!(await k.update(id, changes))) {
        process.stderr.write(`No key with id ${id}. \`retouch keys list\` shows the ids.\n`);
        process.exitCode = 1;
        return;
      }
      const key = (await k.list()).find((r) => r.id === id);
      process.stdout.write(`Updated ${id}: ${describeLimits(key?.limits) || 'server defaults'}.\n`);
    }));
  keys.command('list').description('List keys (never the secrets)').action(() => withKeys(async (k) => {
    const rows = await k.list();
    if (rows.length === 0) return void process.stdout.write('No keys. Create one with `retouch keys create`.\n');
    for (const r of rows) {
      const limits = describeLimits(r.limits);
      process.stdout.write(`${r.id}  ${r.prefix}…  ${r.revokedAt ? 'revoked' : 'active '}  ${date(r.createdAt)}  ${r.name ?? ''}${limits ? `  [${limits}]` : ''}${r.scopes?.includes('admin') ? '  (admin)' : ''}\n`);
    }
  }));
  keys.command('revoke').description('Revoke a key by id').argument('<id>')
    .action((id: string) => withKeys(async (k) => {
      if (!(await k.revoke(id))) {
        process.stderr.write(`No active key with id ${id}. \`retouch keys list\` shows the ids.\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`Revoked ${id}.\n`);
    }));
}
