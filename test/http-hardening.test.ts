/**
 * Issue 14, defect 5 (the small ones): long multipart boundaries, HTTP framing errors, a JSON
 * `size` sent as an object, security headers on every route, upstream result URLs fetched safely,
 * IPv6 embeddings of IPv4 in the address filter, and https-only remote images. (A key in a query
 * string and refused prompts in the log: redaction.test.ts.)
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isPublicAddress } from '../src/net/address.ts';
import { PLAYGROUND_DIR } from '../src/http/routes/playground.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { type Script, startStandIn } from './helpers/stand-in.ts';

let t: TestApp;
let port: number;
before(async () => {
  t = await startTestApp({ RETOUCH_REMOTE_IMAGES: 'true' });
  port = Number(new URL(await t.listen()).port);
});
after(async () => { await t.close(); });

const dataUrl = async () => `data:image/png;base64,${(await card()).toString('base64')}`;

/** Sends raw bytes on a fresh connection and returns everything the server wrote before closing. */
function rawExchange(data: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
    let out = '';
    socket.on('data', (d) => { out += d.toString('latin1'); });
    socket.on('close', () => resolve(out));
    socket.on('error', () => resolve(out));
  });
}

function parseRaw(response: string) {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { statusCode: Number(statusLine?.split(' ')[1]), headers, body };
}

describe('multipart boundaries', () => {
  const form = (boundary: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nnano-banana-1\r\n--${boundary}--\r\n`;
  for (const length of [71, 253, 300]) {
    it(`a ${length}-character boundary → 400 invalid_multipart (RFC 2046 allows 70)`, async () => {
      const b = 'b'.repeat(length);
      const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, 'content-type': `multipart/form-data; boundary=${b}` }, payload: form(b) });
      assertError(res, 400, { code: 'invalid_multipart' });
    });
  }
  it('a 70-character boundary is read as usual', async () => {
    const b = 'b'.repeat(70);
    const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, 'content-type': `multipart/form-data; boundary="${b}"` }, payload: form(b) });
    assertError(res, 400, { code: 'missing_required_parameter', param: 'prompt' });
  });
});

describe('HTTP framing errors answer the envelope', () => {
  const cases: Array<[string, string, number, string]> = [
    ['a Content-Length that is not a number', 'POST /v1/images/edits HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400, 'invalid_http'],
    ['Content-Length together with chunked', 'POST /v1/images/edits HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'invalid_http'],
    ['a bad chunk size', 'POST /v1/images/edits HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n', 400, 'invalid_http'],
    ['headers over the size limit', `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`, 431, 'headers_too_large'],
  ];
  for (const [what, request, status, code] of cases) {
    it(`${what} → ${status} ${code}`, async () => {
      const res = parseRaw(await rawExchange(request));
      assertError(res, status, { code, type: 'invalid_request_error', param: null });
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(res.headers.connection, 'close');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    });
  }
});

describe('JSON fields of the wrong type', () => {
  for (const [field, value] of [['size', { width: 512 }], ['n', [2]], ['output_format', { f: 'png' }], ['prompt', ['make it black and white']]] as const) {
    it(`${field} sent as ${Array.isArray(value) ? 'an array' : 'an object'} → 400 invalid_value naming it`, async () => {
      const body = { model: 'nano-banana-1', prompt: 'make it black and white', image: await dataUrl(), [field]: value };
      const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      assertError(res, 400, { code: 'invalid_value', param: field });
    });
  }
  it('an unknown field holding an object is still ignored, as the OpenAI API does', async () => {
    const body = { model: 'nano-banana-1', prompt: 'make it black and white', image: await dataUrl(), metadata: { a: 1 } };
    const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    assert.equal(res.statusCode, 200, res.body);
  });
});

describe('security headers on every route', () => {
  const assets = (() => { try { return readdirSync(path.join(PLAYGROUND_DIR, 'assets')).map((f) => `/assets/${f}`); } catch { return []; } })();
  for (const url of ['/', ...assets, '/health', '/v1/models', '/nope']) {
    it(`${url} has nosniff and a Referrer-Policy`, async () => {
      const res = await t.app.server.inject({ method: 'GET', url, headers: t.auth });
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
    });
  }
});

describe("URLs Fastify's router refuses answer the envelope, with the headers of every answer", () => {
  const long = 'x'.repeat(150);
  const cases: Array<[string, number, string]> = [
    [`/v1/images/edits/${long}/events`, 404, 'not_found'],
    [`/v1/images/edits/${long}`, 404, 'not_found'],
    [`/img/${long}.webp`, 404, 'not_found'],
    ['/v1/images/edits/%/events', 400, 'invalid_url'],
    ['/img/%zz.webp', 400, 'invalid_url'],
    ['/img/%C3.webp', 400, 'invalid_url'],
  ];
  for (const [url, status, code] of cases) {
    it(`GET ${url.length > 60 ? `${url.slice(0, 40)}…(${url.length} chars)` : url} → ${status} ${code}`, async () => {
      const res = await t.app.server.inject({ method: 'GET', url, headers: t.auth });
      assertError(res, status, { code, type: 'invalid_request_error', param: null });
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
    });
  }
});

describe('remote image addresses', () => {
  it('refuses every IPv6 form of a private IPv4 address', () => {
    for (const a of ['::127.0.0.1', '[::127.0.0.1]', '2002:7f00:1::', '2002:a9fe:a9fe::1', '::ffff:127.0.0.1', '::ffff:0:7f00:1', '64:ff9b::7f00:1',
      '64:ff9b::a9fe:a9fe', '64:ff9b:1::8.8.8.8', '2001:0:4136:e378:8000:63bf:80ff:fffe', '::', '::1', 'fe80::1', 'fd12::1', 'ff02::1', '100::1', 'fec0::1',
      '198.18.0.1', '192.0.2.1', '0.1.2.3', '255.255.255.255']) {
      assert.equal(isPublicAddress(a), false, a);
    }
  });
  it('lets public addresses through, embedded ones too', () => {
    for (const a of ['8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:808:808::1', '64:ff9b::808:808']) assert.equal(isPublicAddress(a), true, a);
  });
  for (const url of ['http://[::127.0.0.1]/x.png', 'https://[::127.0.0.1]/x.png', 'https://[2002:7f00:1::]/x.png', 'http://127.0.0.1:9/x.png']) {
    it(`${url} is refused with 400 naming image`, async () => {
      const body = { model: 'nano-banana-1', prompt: 'make it black and white', images: [{ image_url: url }] };
      const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      const err = assertError(res, 400, { code: 'invalid_value', param: 'image' });
      assert.match(err.message, /only https|not a public address/);
    });
  }
});

describe('upstream data[].url results', () => {
  let upstream: Awaited<ReturnType<typeof startStandIn>>;
  let other: http.Server;
  let otherOrigin: string;
  let hits = 0;
  let script: Script;
  let u: TestApp;
  before(async () => {
    upstream = await startStandIn((req, n) => script(req, n));
    const png = await card();
    other = http.createServer((_req, res) => { hits++; res.end(png); }).listen(0, '127.0.0.1');
    await new Promise((r) => other.once('listening', r));
    otherOrigin = `http://localhost:${(other.address() as AddressInfo).port}`;
    u = await startTestApp({}, { configFile: `providers:\n  openai: { type: openai, baseUrl: ${upstream.origin}/v1, apiKey: sk-upstream-0001, retries: 0 }\n` });
  });
  after(async () => { await u.close(); await upstream.close(); other.closeAllConnections(); other.close(); });

  async function edit() {
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'gpt-image-1' }, { name: 'prompt', value: 'make it black and white' }]);
    return u.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...u.auth }, payload: body });
  }

  it('a URL on another internal host is not fetched: 502, and nothing reaches that host', async () => {
    // `localhost`, not the upstream's 127.0.0.1: another host name, resolving to loopback.
    for (const url of [`${otherOrigin}/secret.png`, `${otherOrigin.replace('http:', 'https:')}/secret.png`, 'http://169.254.169.254/latest/meta-data/', 'https://[::127.0.0.1]/x.png']) {
      script = () => ({ json: { created: 1, data: [{ url }] } });
      const err = assertError(await edit(), 502, { code: 'upstream_error' });
      assert.match(err.message, /will not fetch/);
    }
    assert.equal(hits, 0);
  });

  it('a URL on the configured upstream\'s own host is fetched', async () => {
    upstream.files.set('result.png', await card());
    script = () => ({ json: { created: 1, data: [{ url: `${upstream.origin}/files/result.png` }] } });
    assert.equal((await edit()).statusCode, 200);
  });
});
