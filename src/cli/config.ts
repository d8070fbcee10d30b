import type { Command } from 'commander';
import { providerSpec } from '../backends/registry.ts';
import { routeTable } from '../backends/routes.ts';
import { describeEnv } from '../config/index.ts';
import { configOrExit } from './load-config.ts';

export function configCommand(program: Command) {
  program.command('config').description('Print the effective configuration and model routes, secrets masked').action(() => {
    const config = configOrExit();
    for (const v of describeEnv()) process.stdout.write(`${v.name.padEnd(30)} ${v.value.padEnd(24)} ${v.description}\n`);
    process.stdout.write('\nPorts:\n');
    process.stdout.write(`  store    ${config.databaseUrl ? `postgres ${maskUrl(config.databaseUrl)}` : `sqlite ${config.dataDir}/retouch.db`}\n`);
    process.stdout.write(`  blobs    ${config.s3 ? `s3 bucket ${config.s3.bucket}${config.s3.endpoint ? ` at ${config.s3.endpoint}` : ''}, prefix '${config.s3.prefix}', /img ${config.imageUrls}` : `files ${config.dataDir}/images`}\n`);
    process.stdout.write(`  limiter  ${config.redis ? `redis ${maskUrl(config.redis.url)}, prefix '${config.redis.prefix}'` : 'memory (this process only)'}\n`);
    process.stdout.write('\nProviders:\n');
    if (config.routing.providers.size === 0) process.stdout.write('  none (set OPENAI_API_KEY, GEMINI_API_KEY or RETOUCH_CONFIG)\n');
    for (const p of config.routing.providers.values()) {
      process.stdout.write(`  ${p.name.padEnd(12)} ${p.type.padEnd(9)} ${p.baseUrl}  ${providerSpec(p.type)!.describe(p)}  timeout ${p.timeoutMs} ms, ${p.retries} retries, ${p.maxConcurrent} at once\n`);
    }
    process.stdout.write('\nModels:\n');
    for (const [model, route] of routeTable(config.routing)) process.stdout.write(`  ${model.padEnd(26)} → ${route.join(' → ')}\n`);
  });
}

/** A service URL without its password. */
function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'xxx';
    return u.toString();
  } catch {
    return '(unparsable)';
  }
}
