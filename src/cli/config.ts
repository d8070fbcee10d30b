import type { Command } from 'commander';
import { providerSpec } from '../backends/registry.ts';
import { routeTable } from '../backends/routes.ts';
import { describeEnv } from '../config/index.ts';
import { configOrExit } from './load-config.ts';

export function configCommand(program: Command) {
  program.command('config').description('Print the effective configuration and model routes, secrets masked').action(() => {
    const config = configOrExit();
    for (const v of describeEnv()) process.stdout.write(`${v.name.padEnd(30)} ${v.value.padEnd(24)} ${v.description}\n`);
    process.stdout.write('\nProviders:\n');
    if (config.routing.providers.size === 0) process.stdout.write('  none (set OPENAI_API_KEY, GEMINI_API_KEY or RETOUCH_CONFIG)\n');
    for (const p of config.routing.providers.values()) {
      process.stdout.write(`  ${p.name.padEnd(12)} ${p.type.padEnd(9)} ${p.baseUrl}  ${providerSpec(p.type)!.describe(p)}  timeout ${p.timeoutMs} ms, ${p.retries} retries, ${p.maxConcurrent} at once\n`);
    }
    process.stdout.write('\nModels:\n');
    for (const [model, route] of routeTable(config.routing)) process.stdout.write(`  ${model.padEnd(26)} → ${route.join(' → ')}\n`);
  });
}
