/**
 * Property-based fuzzing of the request parsers with fast-check (issue 14): arbitrary multipart
 * bodies (boundaries, part headers, field names and values, files, truncation, stray bytes) and
 * arbitrary JSON bodies. Whatever arrives, the answer is a 200 or a 4xx in the error envelope, never
 * a 5xx. Seeds are fixed, so a failure reproduces; fast-check shrinks it to a small case.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';

let t: TestApp;
let png: Buffer;
before(async () => {
  t = await startTestApp();
  png = await card(24, 16);
});
after(async () => { await t.close(); });

interface Answer { statusCode: number; body: string; headers: Record<string, unknown> }

function assertAnswer(res: Answer, what: () => string) {
  assert.ok(res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500), `${res.statusCode} ${res.body.slice(0, 300)} for ${what()}`);
  assert.match(String(res.headers['x-request-id']), /^req_/);
  if (res.statusCode !== 200) {
    const body = JSON.parse(res.body);
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type'], what());
    assert.equal(typeof body.error.message, 'string');
  }
}

const FIELD_NAMES = ['image', 'image[]', 'image[0]', 'images', 'mask', 'model', 'prompt', 'size', 'n', 'response_format', 'output_format',
  'output_compression', 'background', 'quality', 'user', 'stream', '__proto__', 'constructor', ''];
const GOOD_VALUES: Record<string, string[]> = {
  model: ['nano-banana-1', 'retouch-local-1', 'no-such-model'],
  prompt: ['make it black and white', 'rotate 90 degrees', 'remove the background', 'x'],
  size: ['auto', '32x32', '1:1', '512', '0x0', '99999x1'],
  n: ['1', '2', '0', '-1', '1e3'],
  output_format: ['png', 'webp', 'jpeg', 'gif'],
  response_format: ['b64_json', 'url', 'xml'],
  background: ['transparent', 'opaque', 'auto'],
};

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(...Object.values(GOOD_VALUES).flat()),
);
const fileBytes = fc.oneof(
  fc.constant('png' as const),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.nat({ max: 400 }).map((n) => ['cut', n] as const),
);
const part = fc.record({
  name: fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 12 })),
  file: fc.option(fileBytes, { nil: undefined }),
  value: text,
  filename: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  type: fc.option(fc.constantFrom('image/png', 'application/octet-stream', 'text/plain', 'image/gif', ''), { nil: undefined }),
  extraHeader: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
});
const boundaryChars = fc.constantFrom(...'abcXYZ0129\'()+_,-./:=?'.split(''));
const boundary = fc.oneof(
  fc.string({ unit: boundaryChars, minLength: 1, maxLength: 70 }),
  fc.string({ unit: boundaryChars, minLength: 71, maxLength: 300 }),
  fc.string({ minLength: 0, maxLength: 20 }),
);
const mutation = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('lf-only' as const) }),
  fc.record({ kind: fc.constant('no-final-boundary' as const) }),
);
const contentTypeStyle = fc.constantFrom('plain', 'quoted', 'charset', 'no-boundary', 'upper');

type FileSpec = 'png' | Buffer | readonly ['cut', number];
interface FormPart { name: string; file?: FileSpec | undefined; value: string; filename?: string | undefined; type?: string | undefined; extraHeader?: string | undefined }

function fileOf(spec: FileSpec): Buffer {
  if (spec === 'png') return png;
  if (Buffer.isBuffer(spec)) return spec;
  return png.subarray(0, Math.min(png.length, spec[1]));
}

function serialise(parts: FormPart[], b: string, m: { kind: string; at?: number; bytes?: Uint8Array }): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const file = p.file === undefined ? undefined : fileOf(p.file);
    let head = `--${b}\r\nContent-Disposition: form-data; name="${p.name}"${file || p.filename !== undefined ? `; filename="${p.filename ?? 'f'}"` : ''}\r\n`;
    if (p.type !== undefined) head += `Content-Type: ${p.type}\r\n`;
    if (p.extraHeader !== undefined) head += `${p.extraHeader}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), file ?? Buffer.from(p.value), Buffer.from('\r\n'));
  }
  if (m.kind !== 'no-final-boundary') chunks.push(Buffer.from(`--${b}--\r\n`));
  let body = Buffer.concat(chunks);
  if (m.kind === 'truncate') body = body.subarray(0, Math.floor(body.length * m.at!));
  if (m.kind === 'insert') {
    const at = Math.floor(body.length * m.at!);
    body = Buffer.concat([body.subarray(0, at), Buffer.from(m.bytes!), body.subarray(at)]);
  }
  if (m.kind === 'lf-only') body = Buffer.from(body.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
  return body;
}

function contentType(style: string, b: string): string {
  switch (style) {
    case 'quoted': return `multipart/form-data; boundary="${b}"`;
    case 'charset': return `multipart/form-data; charset=utf-8; boundary=${b}`;
    case 'no-boundary': return 'multipart/form-data';
    case 'upper': return `Multipart/Form-Data; BOUNDARY=${b}`;
    default: return `multipart/form-data; boundary=${b}`;
  }
}

describe('fuzzed request bodies never produce a 5xx', () => {
  it('multipart: any boundary, parts, headers, files and damage', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(part, { maxLength: 8 }), boundary, mutation, contentTypeStyle, fc.boolean(), async (parts, b, m, style, withBasics) => {
        // Half the forms carry the fields a real edit needs, so parsing goes past the first check.
        const all: FormPart[] = withBasics
          ? [{ name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'make it black and white' }, { name: 'image', value: '', file: 'png' as const }, ...parts]
          : parts;
        const payload = serialise(all, b, m);
        const res = await t.app.server.inject({
          method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, 'content-type': contentType(style, b) }, payload,
        });
        assertAnswer(res, () => JSON.stringify({ b, m, style, parts: all.map((p) => ({ ...p, file: p.file && (Buffer.isBuffer(p.file) ? `${p.file.length} bytes` : p.file) })) }));
      }),
      { seed: 20261201, numRuns: 250 },
    );
  });

  const jsonScalar = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
  const imageRef = fc.oneof(
    fc.constant(`data:image/png;base64,PNG`),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('data:image/png;base64,', 'data:;base64,AAAA', 'https://[::1]/x.png', 'file:///etc/passwd', 'data:image/png,raw'),
    fc.record({ image_url: fc.oneof(fc.constant('data:image/png;base64,PNG'), fc.string({ maxLength: 20 }), fc.integer()) }),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const known = fc.record({
    model: fc.oneof(fc.constantFrom(...GOOD_VALUES.model!), fc.jsonValue({ maxDepth: 1 })),
    prompt: fc.oneof(fc.constantFrom(...GOOD_VALUES.prompt!), fc.jsonValue({ maxDepth: 1 })),
    size: fc.oneof(fc.constantFrom(...GOOD_VALUES.size!), jsonScalar, fc.jsonValue({ maxDepth: 2 })),
    n: fc.oneof(jsonScalar, fc.jsonValue({ maxDepth: 1 })),
    output_format: fc.oneof(fc.constantFrom(...GOOD_VALUES.output_format!), jsonScalar),
    image: fc.oneof(imageRef, fc.array(imageRef, { maxLength: 3 })),
    images: fc.array(imageRef, { maxLength: 3 }),
    mask: imageRef,
  }, { requiredKeys: [] });

  it('JSON: any value, and edit-shaped objects with any field values', async () => {
    const b64 = png.toString('base64');
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 3 }), known, known), async (value) => {
        const payload = JSON.stringify(value).replaceAll('data:image/png;base64,PNG', `data:image/png;base64,${b64}`);
        const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, 'content-type': 'application/json' }, payload });
        assertAnswer(res, () => payload.slice(0, 500));
      }),
      { seed: 20261202, numRuns: 300 },
    );
  });

  it('JSON text that is not quite JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), fc.constantFrom('application/json', 'application/json; charset=latin1', 'application/vnd.api+json'), async (payload, type) => {
        const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, 'content-type': type }, payload });
        assertAnswer(res, () => JSON.stringify(payload));
      }),
      { seed: 20261203, numRuns: 150 },
    );
  });
});
