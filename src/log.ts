import pino, { type DestinationStream, type Logger } from 'pino';
import { Redactor } from './redact.ts';

/**
 * The server's logger: pino, with every line passed through the configuration's Redactor just
 * before it is written, so no secret reaches a log whichever field it hides in (a message, an
 * error's cause or stack, a request URL with a key in its query string).
 */
export function createLogger(config: { logLevel: string }, destination?: DestinationStream): Logger {
  const redactor = Redactor.fromConfig(config);
  const logger = pino({
    level: config.logLevel,
    hooks: { streamWrite: (line) => redactor.redact(line) },
    serializers: {
      // Fastify's own request serializer, with the URL redacted at the source as well.
      req: (req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
        method: req.method,
        url: req.url === undefined ? undefined : redactor.redact(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  }, destination);
  REDACTORS.set(logger, redactor);
  return logger;
}

// Which Redactor a logger made here writes through, so secrets learnt later (webhook secrets) can
// be added to it. Weak: a logger's entry goes with the logger.
const REDACTORS = new WeakMap<Logger, Redactor>();

/** Tells the logger's Redactor (if it was made by createLogger) about secrets learnt after start-up. */
export function rememberSecret(logger: Logger, secret: string): void {
  REDACTORS.get(logger)?.remember(secret);
}
