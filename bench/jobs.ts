/**
 * What an edit costs through each door of POST /v1/images/edits: the synchronous answer (the
 * reference), a stream with previews, and an async job read back three ways: `Prefer: wait` on the
 * POST, following its events, and a client polling GET on the schedule the server's own wait used
 * before jobs announced their end (50 ms, doubling to 1 s). Retouch runs in this process on a
 * loopback port; one local edit (greyscale, then a 180° rotation) of a 2 MP PNG to WEBP.
 *
 *   npm run bench -- jobs
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { dims43, photo } from './lib/images.ts';
import { machine, table, today, writeSection } from './lib/doc.ts';
import { editForm, multipartBody, startRetouch } from './lib/server.ts';
import { interleavedMs } from './lib/stats.ts';

const RUNS = 9;
const ENDED = ['succeeded', 'failed', 'canceled'];

export async function jobsBench() {
  const node = await startRetouch();
  const [w, h] = dims43(2);
  const image = await photo(w, h, 'png');
  const fields = { model: 'retouch-local-1', prompt: 'make it black and white and rotate it 180 degrees', output_format: 'webp' };
  const plain = await multipartBody(editForm(image, fields, 'image/png'));
  const streamed = await multipartBody(editForm(image, { ...fields, stream: 'true', partial_images: '2' }, 'image/png'));
  const auth = { authorization: `Bearer ${node.secret}` };
  // The result cache would answer repeats without editing: every door here must edit.
  const post = (body: { body: Buffer; type: string }, headers: Record<string, string> = {}) => fetch(`${node.base}/v1/images/edits`, {
    method: 'POST', body: new Uint8Array(body.body), headers: { ...auth, 'content-type': body.type, 'cache-control': 'no-cache', ...headers },
  });
  const ok = async (res: Response) => {
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${res.status} ${text.slice(0, 300)}`);
    return text;
  };
  const submit = async () => (JSON.parse(await ok(await post(plain, { prefer: 'respond-async' }))) as { id: string }).id;

  try {
    const ms = await interleavedMs({
      sync: async () => ok(await post(plain)),
      stream: async () => ok(await post(streamed)),
      'async, Prefer: wait': async () => ok(await post(plain, { prefer: 'respond-async, wait=30' })),
      'async, follow events': async () => ok(await fetch(`${node.base}/v1/images/edits/${await submit()}/events`, { headers: auth })),
      'async, client polls GET': async () => {
        const id = await submit();
        for (let pause = 50; ; pause = Math.min(pause * 2, 1000)) {
          await sleep(pause);
          const job = JSON.parse(await ok(await fetch(`${node.base}/v1/images/edits/${id}`, { headers: auth }))) as { status: string };
          if (ENDED.includes(job.status)) return;
        }
      },
    }, RUNS);
    const rows = Object.entries(ms).map(([door, median]) => [door, median.toFixed(0), (median / ms.sync).toFixed(2)]);
    for (const r of rows) process.stdout.write(`${r[0]}: ${r[1]} ms (${r[2]}x sync)\n`);
    await writeSection('jobs', [
      `Measured ${today()} on ${machine()}: \`npm run bench -- jobs\`. One local edit (greyscale, then a 180° rotation) of a`,
      `${w}×${h} PNG to WEBP, from the POST to the end of the answer, over loopback; median of ${RUNS} rounds, the doors taken in turn.`,
      '',
      table(['door', 'median (ms)', '÷ sync'], rows, ['l', 'r', 'r']),
    ].join('\n'));
  } finally {
    await node.close();
  }
}
