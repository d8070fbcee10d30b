/**
 * Soak (issue 14): 20 minutes of mixed good, bad, slow and disconnecting clients against
 * `retouch serve` in its own process. Its resident memory and open file descriptors are sampled
 * and plotted to docs/soak.svg; the run fails if either grows by more than 10 % between the 5th
 * and the 20th minute (the same quarter and end of a shorter run).
 *
 *   npm run bench -- soak                    (20 minutes)
 *   SOAK_MINUTES=2 npm run bench -- soak     (a smoke check; same clients, same verdict rule)
 */
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { buildCorpus } from '../test/corpus/cases.ts';
import { machine, table, today, writeSection } from './lib/doc.ts';
import { photo } from './lib/images.ts';
import { BENCH_KEY, rssOf, spawnRetouch } from './lib/process.ts';
import { editForm, multipartBody, postRawStatus } from './lib/server.ts';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 20);
const SAMPLE_MS = Math.max(1000, Math.round((MINUTES * 60_000) / 240));
const MAX_GROWTH = 0.10;
const MIB = 2 ** 20;

interface Sample { t: number; rss: number; fds: number }

const fdsOf = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Mean of the samples in [from, to) minutes. */
const meanIn = (samples: Sample[], key: 'rss' | 'fds', from: number, to: number) => {
  const xs = samples.filter((s) => s.t >= from * 60_000 && s.t < to * 60_000).map((s) => s[key]);
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
};

function chart(samples: Sample[], windows: Array<[number, number]>): string {
  const W = 760, H = 320, L = 60, R = 60, T = 20, B = 40;
  const tMax = Math.max(1, samples.at(-1)?.t ?? 1);
  const rssMax = Math.max(...samples.map((s) => s.rss)) * 1.15 / MIB;
  const fdMax = Math.max(...samples.map((s) => s.fds)) * 1.15;
  const x = (t: number) => L + (t / tMax) * (W - L - R);
  const yR = (v: number) => H - B - (v / rssMax) * (H - T - B);
  const yF = (v: number) => H - B - (v / fdMax) * (H - T - B);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`];
  for (const [from, to] of windows) parts.push(`<rect x="${x(from * 60_000).toFixed(1)}" y="${T}" width="${(x(to * 60_000) - x(from * 60_000)).toFixed(1)}" height="${H - T - B}" fill="#f3f3f3"/>`);
  parts.push(`<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/>`);
  for (let m = 0; m <= tMax / 60_000; m += Math.max(1, Math.round(tMax / 60_000 / 10))) {
    parts.push(`<text x="${x(m * 60_000).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${m}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const v = (rssMax * i) / 4;
    parts.push(`<text x="${L - 6}" y="${(yR(v) + 4).toFixed(1)}" text-anchor="end" fill="#1f77b4">${v.toFixed(0)}</text>`,
      `<text x="${W - R + 6}" y="${(yF((fdMax * i) / 4) + 4).toFixed(1)}" fill="#d62728">${((fdMax * i) / 4).toFixed(0)}</text>`);
  }
  const line = (key: 'rss' | 'fds', y: (v: number) => number, color: string) =>
    `<path d="${samples.map((s, i) => `${i ? 'L' : 'M'}${x(s.t).toFixed(1)},${y(key === 'rss' ? s.rss / MIB : s.fds).toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="1.5"/>`;
  parts.push(line('rss', yR, '#1f77b4'), line('fds', yF, '#d62728'),
    `<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">minutes (grey: the windows compared)</text>`,
    `<text x="14" y="${(T + H - B) / 2}" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle" fill="#1f77b4">RSS (MiB)</text>`,
    `<text x="${W - 12}" y="${(T + H - B) / 2}" transform="rotate(90 ${W - 12} ${(T + H - B) / 2})" text-anchor="middle" fill="#d62728">open file descriptors</text>`);
  return `${parts.join('\n')}\n</svg>\n`;
}

export async function soakBench() {
  const durationMs = MINUTES * 60_000;
  const corpus = await buildCorpus();
  const small = await photo(800, 600);
  const medium = await photo(2000, 1500);
  const form = (img: Buffer, prompt: string, extra: Record<string, string> = {}) =>
    multipartBody(editForm(img, { model: 'retouch-local-1', prompt, response_format: 'b64_json', ...extra }));
  const good = [
    await form(small, 'make it black and white'), await form(medium, 'rotate it 90 degrees'), await form(small, 'remove the background', { output_format: 'png' }),
    await form(medium, 'make it warmer'), await form(small, 'replace the background with white'), await form(small, 'add the text "SALE" in the top right corner'),
  ];
  const bad = await Promise.all(corpus.filter((c) => c.expect.kind !== 'valid').map(async (c) => {
    const f = new FormData();
    f.append('image', new Blob([new Uint8Array(c.bytes)], { type: c.contentType }), c.filename);
    f.append('model', 'retouch-local-1');
    f.append('prompt', 'sharpen');
    return multipartBody(f);
  }));

  // Slow clients get 408 within the run: a short idle timeout for the soak's server.
  const server = await spawnRetouch({ RETOUCH_UPLOAD_IDLE_SECONDS: '3', RETOUCH_UPLOAD_DEADLINE_SECONDS: '20' });
  const url = `${server.base}/v1/images/edits`;
  const { port } = new URL(server.base);
  const started = performance.now();
  const running = () => performance.now() - started < durationMs;
  const counts: Record<string, number> = {};
  const count = (k: string) => { counts[k] = (counts[k] ?? 0) + 1; };
  const samples: Sample[] = [];
  const sampler = setInterval(() => {
    try { samples.push({ t: performance.now() - started, rss: rssOf(server.pid), fds: fdsOf(server.pid) }); } catch { /* exiting */ }
  }, SAMPLE_MS);

  /** Sends headers and part of a body at a crawl, then either stalls or hangs up. */
  const slowClient = (mode: 'stall' | 'hang-up') => new Promise<void>((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    const body = good[0]!;
    socket.write(`POST /v1/images/edits HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${BENCH_KEY}\r\nContent-Type: ${body.type}\r\nContent-Length: ${body.body.length}\r\n\r\n`);
    let at = 0;
    const drip = setInterval(() => {
      if (at < 2000) socket.write(body.body.subarray(at, at += 200));
      else if (mode === 'hang-up') socket.destroy();
    }, 250);
    const done = () => { clearInterval(drip); socket.destroy(); resolve(); };
    socket.on('data', (d) => { count(`slow ${/^HTTP\/1\.1 (\d+)/.exec(d.toString('latin1'))?.[1] ?? '?'}`); done(); });
    socket.on('close', done);
    socket.on('error', done);
    setTimeout(done, 30_000);
  });

  /** Starts a request and goes away mid-upload or mid-edit. */
  const disconnecting = (afterMs: number, partial: boolean) => new Promise<void>((resolve) => {
    const body = good[2]!;
    const req = http.request(url, { method: 'POST', headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': body.type, 'content-length': body.body.length } });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.on('response', (res) => { res.resume(); count(`disconnect answered ${res.statusCode}`); });
    if (partial) req.write(body.body.subarray(0, body.body.length >> 1));
    else req.write(body.body);
    setTimeout(() => { req.destroy(); count(partial ? 'disconnect mid-upload' : 'disconnect mid-edit'); }, afterMs);
  });

  const loops = [
    // Two good clients.
    ...[0, 1].map((k) => (async () => {
      for (let i = k; running(); i++) count(`good ${(await postRawStatus(url, BENCH_KEY, good[i % good.length]!)).status}`);
    })()),
    // One bad client, through the corpus.
    (async () => { for (let i = 0; running(); i++) count(`bad ${(await postRawStatus(url, BENCH_KEY, bad[i % bad.length]!)).status}`); })(),
    // Slow clients, one at a time.
    (async () => { for (let i = 0; running(); i++) await slowClient(i % 2 ? 'stall' : 'hang-up'); })(),
    // Disconnecting clients.
    (async () => { for (let i = 0; running(); i++) { await disconnecting(50 + (i % 5) * 150, i % 2 === 0); await sleep(200); } })(),
  ];
  try {
    await Promise.all(loops);
    await sleep(SAMPLE_MS * 2); // a sample or two after the load ends
  } finally {
    clearInterval(sampler);
    await server.stop();
  }

  const windows: Array<[number, number]> = [[MINUTES * 0.2, MINUTES * 0.25], [MINUTES * 0.95, MINUTES]];
  const growth = (key: 'rss' | 'fds') => meanIn(samples, key, ...windows[1]!) / meanIn(samples, key, ...windows[0]!) - 1;
  const rssGrowth = growth('rss');
  const fdGrowth = growth('fds');
  const pass = rssGrowth <= MAX_GROWTH && fdGrowth <= MAX_GROWTH;
  const pct = (g: number) => `${g >= 0 ? '+' : ''}${(g * 100).toFixed(1)} %`;
  const peakRss = Math.max(...samples.map((s) => s.rss));
  process.stdout.write(`soak ${MINUTES} min: RSS ${pct(rssGrowth)}, fds ${pct(fdGrowth)}, peak RSS ${(peakRss / MIB).toFixed(0)} MiB; ${JSON.stringify(counts)}\n`);
  await writeFile('docs/soak.svg', chart(samples, windows));
  const outcomes = Object.entries(counts).sort().map(([k, v]) => [k, v]);
  await writeSection('soak', `## Soak

Command: \`${MINUTES === 20 ? '' : `SOAK_MINUTES=${MINUTES} `}npm run bench -- soak\` (run on ${today()}; ${machine()}; ${MINUTES} minutes).
\`retouch serve\` in its own process under two good clients (black and white, rotation, background
removal, warmer, white background, text; 0.5 and 3 MP), one client cycling through the bad-input
corpus, slow clients that drip a body and then stall (408 after 3 s idle) or hang up, and clients that
disconnect mid-upload or mid-edit. RSS and open file descriptors are sampled every ${SAMPLE_MS / 1000} s; the
run fails if either grows by more than ${MAX_GROWTH * 100} % from minute ${windows[0]![0]}–${windows[0]![1]} to minute ${windows[1]![0]}–${windows[1]![1]}.

![RSS and open file descriptors over the soak](soak.svg)

${table(['', 'early window', 'late window', 'growth'], [
    ['RSS (MiB)', (meanIn(samples, 'rss', ...windows[0]!) / MIB).toFixed(0), (meanIn(samples, 'rss', ...windows[1]!) / MIB).toFixed(0), pct(rssGrowth)],
    ['open file descriptors', meanIn(samples, 'fds', ...windows[0]!).toFixed(0), meanIn(samples, 'fds', ...windows[1]!).toFixed(0), pct(fdGrowth)],
  ], ['l', 'r', 'r', 'r'])}

Peak RSS ${(peakRss / MIB).toFixed(0)} MiB. Verdict: **${pass ? 'pass' : 'FAIL'}**. Outcomes:

${table(['client and answer', 'count'], outcomes, ['l', 'r'])}`);
  if (!pass) throw new Error(`soak failed: RSS ${pct(rssGrowth)}, fds ${pct(fdGrowth)} (limit ${MAX_GROWTH * 100} %)`);
}
