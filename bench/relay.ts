/**
 * Relay overhead: a client calls a loopback stand-in upstream directly, and through Retouch routed
 * to it, with the same PNG (response_format=b64_json, output_format=png). The stand-in answers a
 * prebuilt body, so both paths pay the same upstream cost and the difference is Retouch's.
 *
 *   npm run bench -- relay
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dims43, photo } from './lib/images.ts';
import { machine, table, today, writeSection } from './lib/doc.ts';
import { BENCH_KEY, spawnRetouch } from './lib/process.ts';
import { editForm, multipartBody, postRaw } from './lib/server.ts';
import { interleavedMs } from './lib/stats.ts';

/** An OpenAI-compatible upstream that reads the whole request and answers `answer` at once. */
async function standIn(answer: () => Buffer) {
  const server = http.createServer(async (req, res) => {
    for await (const _ of req); // read the upload in full, as a real upstream must
    res.writeHead(200, { 'content-type': 'application/json' }).end(answer());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

/**
 * The least any relay can add: a bare node:http proxy that pipes the request to the upstream and the
 * answer back, reading nothing. Retouch must also parse, check and re-frame both.
 */
async function pipeProxy(upstream: string) {
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const out = http.request(`${upstream}${req.url}`, { method: req.method, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

export async function relayBench() {
  let answer = Buffer.alloc(0);
  const upstream = await standIn(() => answer);
  // Retouch in its own process, as deployed: the stand-in and the client share this one, on both paths.
  const retouch = await spawnRetouch({ OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `${upstream.origin}/v1` });
  const proxy = await pipeProxy(upstream.origin);
  const rows: Array<Array<string | number>> = [];
  for (const mp of [1, 4]) {
    const [w, h] = dims43(mp);
    const png = await photo(w, h, 'png');
    // The stand-in returns the uploaded image as the edit: same size and format, as asked.
    answer = Buffer.from(JSON.stringify({ created: 1, data: [{ b64_json: png.toString('base64') }], usage: { input_tokens: 1, output_tokens: 1 } }));
    const body = await multipartBody(editForm(png, { model: 'gpt-image-1', prompt: 'make it black and white', response_format: 'b64_json', output_format: 'png' }, 'image/png'));
    const t = await interleavedMs({
      direct: () => postRaw(`${upstream.origin}/v1/images/edits`, 'sk-bench', body),
      piped: () => postRaw(`${proxy.origin}/v1/images/edits`, 'sk-bench', body),
      relayed: () => postRaw(`${retouch.base}/v1/images/edits`, BENCH_KEY, body),
    }, 15);
    rows.push([`${mp} MP (${w}x${h})`, `${(png.length / 2 ** 20).toFixed(1)} MiB`, t.direct.toFixed(1), t.piped.toFixed(1), t.relayed.toFixed(1), (t.piped - t.direct).toFixed(1), (t.relayed - t.direct).toFixed(1)]);
    process.stdout.write(`${rows.at(-1)!.join(' ')}\n`);
  }
  await retouch.stop();
  await proxy.close();
  await upstream.close();
  await writeSection('relay', `## Relay overhead

Command: \`npm run bench -- relay\` (run on ${today()}; ${machine()}).
A loopback OpenAI-compatible stand-in answers a prebuilt \`b64_json\` body holding the uploaded PNG
(the size and format the client asked for, so Retouch passes the bytes through without re-encoding).
The client posts the same multipart body straight to the stand-in, and to \`retouch serve\` (its own
process) routed to it; 15 runs each after a warm-up, in turns. Target: at most 10 ms added at the median for 1 MP.

A bare node:http proxy that only pipes bytes both ways is measured alongside: the least any relay adds.

${table(['image', 'PNG size', 'direct (ms)', 'bare pipe proxy (ms)', 'through Retouch (ms)', 'pipe adds (ms)', 'Retouch adds (ms)'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r'])}`);
}
