import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { type App, createApp, type CreateAppOptions } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/log.ts';

export interface TestApp {
  app: App;
  key: string;
  dataDir: string;
  auth: { authorization: string };
  /** Listens on a loopback port for tests that need a real socket; returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** A RETOUCH_CONFIG file's text (YAML), written to the data dir. */
  configFile?: string;
  /** Upstream retry backoff base; short by default so retry tests stay fast. */
  backoffMs?: number;
  /** Collects the server's log lines (through the real logger, redaction included) at this level. */
  logLines?: { level: string; lines: string[] };
  /** The OAuth2 token source of vertex providers, instead of real service-account credentials. */
  tokenSource?: CreateAppOptions['upstreamTokenSource'];
  /** Other options of createApp (short webhook retries, job leases). */
  app?: CreateAppOptions;
  /** An existing data dir (another process's), kept on close. */
  dataDir?: string;
}

/** A real app on a fresh data dir (real SQLite file, real files), with one API key made. */
export async function startTestApp(env: Record<string, string> = {}, opts: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = opts.dataDir ?? await mkdtemp(path.join(os.tmpdir(), 'retouch-test-'));
  const configEnv: Record<string, string> = {};
  if (opts.configFile) {
    configEnv.RETOUCH_CONFIG = path.join(dataDir, 'retouch.yaml');
    await writeFile(configEnv.RETOUCH_CONFIG, opts.configFile);
  }
  // A stalled async job left running by a test must not hold its teardown for the production grace.
  const config = loadConfig({ RETOUCH_DATA_DIR: dataDir, RETOUCH_LOG_LEVEL: 'silent', RETOUCH_SHUTDOWN_GRACE_SECONDS: '1', ...configEnv, ...env });
  const logs = opts.logLines;
  const logger = logs
    ? createLogger({ ...config, logLevel: logs.level }, { write: (line: string) => { logs.lines.push(line); } })
    : pino({ level: process.env.TEST_LOG ?? 'silent' });
  const app = await createApp(config, { logger, upstreamBackoffMs: opts.backoffMs ?? 20, ...(opts.tokenSource ? { upstreamTokenSource: opts.tokenSource } : {}), ...opts.app });
  const { secret } = await app.services.keys.create('test');
  return {
    app,
    key: secret,
    dataDir,
    auth: { authorization: `Bearer ${secret}` },
    async listen() {
      await app.server.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.server.address() as AddressInfo;
      return `http://127.0.0.1:${port}`;
    },
    async close() {
      await app.close();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
