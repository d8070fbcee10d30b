import type { Config } from '../config/index.ts';
import { Redactor } from '../redact.ts';

/**
 * A process that cannot start (Redis, PostgreSQL or S3 unreachable) says so in one line, secrets
 * masked, and exits 1, rather than dying on a stack trace that may print a connection string.
 */
export function exitOnStartFailure(config: Config, what: string) {
  return (err: unknown): never => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`retouch ${what} could not start: ${Redactor.fromConfig(config).redact(message)}\n`);
    process.exit(1);
  };
}
