import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';

export interface TestApp {
  app: App;
  key: string;
  dataDir: string;
  auth: { authorization: string };
  /** Listens on a loopback port for tests that need a real socket; returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** A real app on a fresh data dir (real SQLite file, real files), with one API key made. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'retouch-test-'));
  const config = loadConfig({ RETOUCH_DATA_DIR: dataDir, RETOUCH_LOG_LEVEL: 'silent', ...env });
  const app = await createApp(config, { logger: pino({ level: process.env.TEST_LOG ?? 'silent' }) });
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
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
