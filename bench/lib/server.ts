import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';

/** Retouch in this process on a loopback port, with a fresh data directory and one API key. */
export async function startRetouch(env: Record<string, string> = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'retouch-bench-'));
  const config = loadConfig({ RETOUCH_DATA_DIR: dir, RETOUCH_LOG_LEVEL: 'silent', ...env });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  const { secret } = await app.services.keys.create('bench');
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.server.address() as { port: number }).port}`;
  return {
    base, secret, app,
    async close() {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The multipart form an OpenAI client sends for images.edit. */
export function editForm(image: Buffer, fields: Record<string, string>, type = 'image/jpeg'): FormData {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(image)], { type }), type === 'image/png' ? 'photo.png' : 'photo.jpg');
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}

/**
 * A multipart body built once, as curl or requests would from a file on disk, and POSTed with
 * node:http: the client's own cost stays out of what is measured (fetch's FormData streaming
 * costs several milliseconds a request).
 */
export async function multipartBody(form: FormData): Promise<{ body: Buffer; type: string }> {
  const req = new Request('http://x/', { method: 'POST', body: form });
  return { body: Buffer.from(await req.arrayBuffer()), type: req.headers.get('content-type')! };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs a prebuilt body on a keep-alive connection and reads the whole answer; non-2xx throws. */
export async function postRaw(url: string, secret: string, prebuilt: { body: Buffer; type: string }): Promise<Buffer> {
  const { status, body } = await postRawStatus(url, secret, prebuilt);
  if (status >= 300) throw new Error(`${url}: ${status} ${body.toString('utf8').slice(0, 300)}`);
  return body;
}

/** POSTs a prebuilt body and reads the whole answer, whatever its status. */
export function postRawStatus(url: string, secret: string, prebuilt: { body: Buffer; type: string }): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST', agent,
      headers: { authorization: `Bearer ${secret}`, 'content-type': prebuilt.type, 'content-length': prebuilt.body.length },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(prebuilt.body);
  });
}
