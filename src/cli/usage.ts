import type { Command } from 'commander';
import { openStore } from '../ports.ts';
import { configOrExit } from './load-config.ts';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "24h", "7d", "30m" or an ISO date → ms since epoch. */
export function parseSince(value: string, now = Date.now()): number {
  const rel = /^(\d+)\s*([mhd])$/.exec(value.trim());
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]!]!;
  const abs = Date.parse(value);
  if (Number.isNaN(abs)) throw new Error(`--since takes 30m, 24h, 7d or a date like 2026-01-31, not '${value}'`);
  return abs;
}

export function usageCommand(program: Command) {
  program.command('usage').description('Summarise usage records by model and backend')
    .option('--since <when>', 'how far back: 30m, 24h, 7d or a date', '24h')
    .action(async (opts: { since: string }) => {
      const config = configOrExit();
      const since = parseSince(opts.since);
      const store = await openStore(config);
      const rows = await store.summarizeUsage(since);
      await store.close();
      process.stdout.write(`Usage since ${new Date(since).toISOString()}\n`);
      if (rows.length === 0) return void process.stdout.write('No requests.\n');
      const table = rows.map((r) => ({
        model: r.model ?? '(none)', backend: r.backend ?? '-', requests: r.requests, errors: r.errors,
        'in MB': (r.inputBytes / 1e6).toFixed(1), 'out MB': (r.outputBytes / 1e6).toFixed(1),
        'out MP': (r.outputPixels / 1e6).toFixed(1), 'avg ms': Math.round(r.avgLatencyMs),
      }));
      console.table(table);
    });
}
