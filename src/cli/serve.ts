import type { Command } from 'commander';
import { createApp } from '../app.ts';
import { ConfigError } from '../config/index.ts';
import { startMetricsServer } from '../metrics/http.ts';
import { configOrExit } from './load-config.ts';
import { exitOnStartFailure } from './start-failure.ts';

export function serveCommand(program: Command) {
  program.command('serve', { isDefault: true }).description('Run the API server').action(async () => {
    const config = configOrExit();
    const app = await createApp(config).catch((err: unknown) => {
      if (!(err instanceof ConfigError)) return exitOnStartFailure(config, 'serve')(err);
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    });
    const first = await app.services.keys.ensureFirstKey();
    if (first) {
      // Printed once, to stdout, never logged: the hash is all the server keeps.
      process.stdout.write(
        `\nNo API key existed, so one was created. It is shown only this once:\n\n    ${first.secret}\n\n` +
          'Use it as "Authorization: Bearer <key>". Manage keys with `retouch keys create|list|revoke`.\n\n',
      );
    }
    let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.services.logger.info({ signal }, 'shutting down: finishing in-flight requests');
      await metricsServer?.close();
      await app.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    await app.server.listen({ port: config.port, host: config.host });
    const { port: metricsPort } = config.metrics;
    if (metricsPort !== undefined) metricsServer = await startMetricsServer(app.services.metrics, { ...config.metrics, port: metricsPort });
  });
}
