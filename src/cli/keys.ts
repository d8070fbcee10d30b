import path from 'node:path';
import type { Command } from 'commander';
import { KeyService } from '../keys/index.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { configOrExit } from './load-config.ts';

async function withKeys<T>(fn: (keys: KeyService) => Promise<T>): Promise<T> {
  const config = configOrExit();
  const store = await openSqliteStore(path.join(config.dataDir, 'retouch.db'));
  try {
    return await fn(new KeyService(store));
  } finally {
    await store.close();
  }
}

const date = (ms: number | null) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '-');

export function keysCommands(program: Command) {
  const keys = program.command('keys').description('Manage API keys (stored hashed)');
  keys.command('create').description('Create a key and print it once').option('--name <name>', 'a label for the key')
    .action((opts: { name?: string }) => withKeys(async (k) => {
      const key = await k.create(opts.name ?? null);
      process.stdout.write(`${key.secret}\n`);
      process.stderr.write(`Created ${key.id}. This is the only time the key is shown.\n`);
    }));
  keys.command('list').description('List keys (never the secrets)').action(() => withKeys(async (k) => {
    const rows = await k.list();
    if (rows.length === 0) return void process.stdout.write('No keys. Create one with `retouch keys create`.\n');
    for (const r of rows) {
      process.stdout.write(`${r.id}  ${r.prefix}…  ${r.revokedAt ? 'revoked' : 'active '}  ${date(r.createdAt)}  ${r.name ?? ''}\n`);
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
