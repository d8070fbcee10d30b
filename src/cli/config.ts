import type { Command } from 'commander';
import { describeEnv } from '../config/index.ts';
import { configOrExit } from './load-config.ts';

export function configCommand(program: Command) {
  program.command('config').description('Print the effective configuration, secrets masked').action(() => {
    configOrExit();
    for (const v of describeEnv()) process.stdout.write(`${v.name.padEnd(30)} ${v.value.padEnd(24)} ${v.description}\n`);
  });
}
