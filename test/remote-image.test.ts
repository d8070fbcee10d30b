import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRemoteFetcher, isPublicAddress } from '../src/http/remote-image.ts';
import { RetouchError } from '../src/errors.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';

let origin: string;
let server: http.Server;
before(async () => {
  const png = await card();
  server = http.createServer((req, res) => {
    if (req.url === '/card.png') return void res.end(png);
    if (req.url === '/huge') { res.writeHead(200); const c = Buffer.alloc(65536); const pump = () => { while (res.write(c)); res.once('drain', pump); }; return void pump(); }
    if (req.url === '/slow') return; // never answers
    if (req.url === '/moved') { res.writeHead(302, { location: 'http://169.254.169.254/' }); return void res.end(); }
    res.writeHead(404).end();
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => { server.closeAllConnections(); server.close(); });

const code = (c: string) => (e: unknown) => e instanceof RetouchError && e.code === c;

describe('remote image URLs', () => {
  it('classifies addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0', '100.64.1.1']) {
      assert.equal(isPublicAddress(a), false, a);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) assert.equal(isPublicAddress(a), true, a);
  });

  it('refuses loopback and private hosts', async () => {
    const fetcher = createRemoteFetcher({ maxBytes: 1e6, timeoutMs: 2000 });
    await assert.rejects(fetcher(`${origin}/card.png`, 'image'), code('invalid_value'));
    await assert.rejects(fetcher('http://localhost/x.png', 'image'), code('invalid_value'));
    await assert.rejects(fetcher('file:///etc/passwd', 'image'), code('invalid_value'));
  });

  it('fetches, and enforces size, time and no redirects (loopback allowed for the test)', async () => {
    // Long enough for the good fetch on a loaded machine; /slow never answers, so it still times out.
    const fetcher = createRemoteFetcher({ maxBytes: 1e6, timeoutMs: 5000, allowPrivateAddresses: true });
    assert.deepEqual(await fetcher(`${origin}/card.png`, 'image'), await card());
    await assert.rejects(fetcher(`${origin}/huge`, 'image'), code('payload_too_large'));
    await assert.rejects(fetcher(`${origin}/slow`, 'image'), code('invalid_value'));
    await assert.rejects(fetcher(`${origin}/moved`, 'image'), (e: unknown) => e instanceof RetouchError && /redirect/.test(e.message));
  });

  describe('through the API with RETOUCH_REMOTE_IMAGES=true', () => {
    let t: TestApp;
    before(async () => { t = await startTestApp({ RETOUCH_REMOTE_IMAGES: 'true' }); });
    after(async () => { await t.close(); });
    it('a loopback URL is refused with 400 naming image', async () => {
      const res = await t.app.server.inject({
        method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ model: 'nano-banana-1', prompt: 'grayscale', images: [{ image_url: `${origin}/card.png` }] }),
      });
      assertError(res, 400, { code: 'invalid_value', param: 'image' });
    });
  });
});
