import { Command } from 'commander';
import { configCommand } from './config.ts';
import { editCommand } from './edit.ts';
import { keysCommands } from './keys.ts';
import { jobsCommands } from './remote.ts';
import { serveCommand } from './serve.ts';
import { usageCommand } from './usage.ts';
import { workerCommand } from './worker.ts';

const program = new Command('retouch')
  .description('Retouch: a self-hostable image-editing API server (POST /v1/images/edits)')
  .showHelpAfterError();

serveCommand(program);
keysCommands(program);
usageCommand(program);
configCommand(program);
editCommand(program);
workerCommand(program);
jobsCommands(program);

await program.parseAsync(process.argv);
