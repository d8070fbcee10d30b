import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RetouchError } from '../errors.ts';
import { assertReady, type ReadinessChecks } from '../readiness.ts';

/**
 * A worker's only listener: GET /health (the process is alive) and GET /ready (it can take jobs:
 * store, blobs, Redis, queue). Plain node:http, so a worker loads no web framework.
 */
export async function startHealthServer(port: number, host: string, checks: ReadinessChecks): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...(status === 503 ? { 'retry-after': '1' } : {}) });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, envelope('Only GET is served here.', 'method_not_allowed'));
    if (path === '/health') return send(200, { status: 'ok' });
    if (path === '/ready') {
      return void assertReady(checks).then(
        () => send(200, { status: 'ready' }),
        (err: unknown) => send(503, err instanceof RetouchError ? err.toEnvelope() : envelope('Not ready.', 'service_unavailable')),
      );
    }
    send(404, envelope('A worker serves only /health and /ready.', 'not_found'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

const envelope = (message: string, code: string) => ({ error: { message, type: code === 'service_unavailable' ? 'server_error' : 'invalid_request_error', param: null, code } });
