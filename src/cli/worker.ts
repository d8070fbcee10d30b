import type { Command } from 'commander';
import { configOrExit } from './load-config.ts';
import { exitOnStartFailure } from './start-failure.ts';

/** `retouch worker`: takes edit jobs from Redis (src/worker/run.ts); loaded only when run, so `serve` never loads BullMQ. */
export function workerCommand(program: Command) {
  program.command('worker').description('Run an edit worker: takes jobs that API nodes with RETOUCH_QUEUE=bullmq enqueue in Redis').action(async () => {
    const config = configOrExit();
    if (!config.redis) {
      process.stderr.write('retouch worker needs RETOUCH_REDIS_URL: the queue lives in Redis.\n');
      process.exit(2);
    }
    const { runWorker } = await import('../worker/run.ts');
    await runWorker({ ...config, redis: config.redis }).catch(exitOnStartFailure(config, 'worker'));
  });
}
