/**
 * The relay path's hand-made wire formats: JSON answers with base64 lifted out before parsing, the
 * multipart body sent upstream, and the answer with base64 spliced in. Each must be byte-for-byte
 * what the standard tools make or read, because real upstreams and clients are on the other end.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { base64Bytes, LiftedBase64, parseJsonWithImages } from '../src/backends/upstream/json-with-images.ts';
import { multipartBody, multipartRequest } from '../src/backends/upstream/multipart.ts';
import { answerBody, Base64Image } from '../src/http/deliver.ts';

const image = randomBytes(300_001); // not a multiple of 3: padding on the end
const b64 = image.toString('base64');

describe('JSON answers with images lifted out', () => {
  it('gives what JSON.parse gives, with each long base64 string as bytes', () => {
    const json: { created: number; data: Array<{ b64_json: unknown; revised_prompt?: string }>; usage: object } = { created: 1, data: [{ b64_json: b64, revised_prompt: 'a "quoted" \\ prompt' }, { b64_json: b64 }], usage: { input_tokens: 3 } };
    const parsed = parseJsonWithImages(Buffer.from(JSON.stringify(json, null, 2)), ['b64_json']) as typeof json;
    assert.deepEqual(parsed.usage, json.usage);
    assert.equal(parsed.data[0]!.revised_prompt, json.data[0]!.revised_prompt);
    for (const entry of parsed.data) {
      assert.ok(entry.b64_json instanceof LiftedBase64);
      assert.ok(base64Bytes(entry.b64_json)!.equals(image));
    }
  });

  it('leaves short strings, escaped strings and other keys to JSON.parse', () => {
    const escaped = b64.replace(/\//g, '\\/'); // some encoders escape slashes
    const body = Buffer.from(`{"data":[{"b64_json":"${escaped}"},{"b64_json":"QUJD"}],"note":"${b64}"}`);
    const parsed = parseJsonWithImages(body, ['b64_json']) as { data: Array<{ b64_json: unknown }>; note: string };
    assert.equal(typeof parsed.data[0]!.b64_json, 'string');
    assert.ok(base64Bytes(parsed.data[0]!.b64_json)!.equals(image));
    assert.equal(parsed.data[1]!.b64_json, 'QUJD');
    assert.equal(parsed.note, b64);
  });

  it('reads a Gemini answer (inlineData.data) the same way', () => {
    const body = Buffer.from(JSON.stringify({ candidates: [{ content: { parts: [{ text: 'ok' }, { inlineData: { mimeType: 'image/png', data: b64 } }] } }] }));
    const parsed = parseJsonWithImages(body, ['data']) as any;
    assert.ok(base64Bytes(parsed.candidates[0].content.parts[1].inlineData.data)!.equals(image));
    assert.equal(parsed.candidates[0].content.parts[0].text, 'ok');
  });

  it('malformed JSON still fails', () => {
    assert.throws(() => parseJsonWithImages(Buffer.from(`{"data":[{"b64_json":"${b64}"}`), ['b64_json']), SyntaxError);
  });

  it('passes the base64 text on only when it is what a standard encoder writes', () => {
    const lift = (text: string) => (parseJsonWithImages(Buffer.from(`{"b64_json":"${text}"}`), ['b64_json']) as { b64_json: LiftedBase64 }).b64_json;
    assert.equal(lift(b64).textOf(image)?.toString('latin1'), b64);
    const urlSafe = b64.replace(/\+/g, '-').replace(/\//g, '_');
    assert.ok(lift(urlSafe).decode().equals(image), 'Node decodes URL-safe base64');
    assert.equal(lift(urlSafe).textOf(image), undefined, 'but clients may not: it is re-encoded');
    const unpadded = b64.replace(/=+$/, '');
    assert.equal(lift(unpadded).textOf(lift(unpadded).decode()), undefined);
  });
});

describe('the multipart body sent upstream', () => {
  it('is parsed by a standard multipart reader into the same fields and files', async () => {
    const body = multipartBody([
      ['model', 'gpt-image-1'], ['prompt', 'line one\r\nline "two" ünïcode'],
      ['image[]', { bytes: image, type: 'image/png', filename: 'a.png' }],
      ['image[]', { bytes: Buffer.from('second'), type: 'image/webp', filename: 'b "2".webp' }],
    ]);
    const init = multipartRequest(body);
    assert.equal(init.headers['content-length'], String(body.length));
    const form = await new Response(init.body, { headers: { 'content-type': init.headers['content-type'] } }).formData();
    assert.equal(form.get('model'), 'gpt-image-1');
    assert.equal(form.get('prompt'), 'line one\r\nline "two" ünïcode');
    const [first, second] = form.getAll('image[]') as File[];
    assert.ok(Buffer.from(await first!.arrayBuffer()).equals(image));
    assert.equal(first!.type, 'image/png');
    assert.equal(second!.name, 'b "2".webp');
  });

  it('sends the same bytes again on a retry', async () => {
    const body = multipartBody([['model', 'x'], ['image', { bytes: image, type: 'image/png', filename: 'a.png' }]]);
    const once = Buffer.from(await new Response(multipartRequest(body).body).arrayBuffer());
    const again = Buffer.from(await new Response(multipartRequest(body).body).arrayBuffer());
    assert.ok(once.equals(again));
    assert.equal(once.length, body.length);
  });
});

describe('the answer with images spliced in', () => {
  it('is exactly the JSON that JSON.stringify would make', () => {
    const encoded = { bytes: image, format: 'png' as const, width: 1, height: 1 };
    const answer = { created: 5, data: [{ b64_json: new Base64Image(encoded), revised_prompt: 'x "y"' }, { b64_json: new Base64Image(encoded) }] };
    const { chunks, length } = answerBody(answer);
    const text = Buffer.concat(chunks).toString('utf8');
    assert.equal(length, Buffer.byteLength(text));
    assert.deepEqual(JSON.parse(text), { created: 5, data: [{ b64_json: b64, revised_prompt: 'x "y"' }, { b64_json: b64 }] });
  });

  it('uses the upstream base64 text as is when it came with the image', () => {
    const text = Buffer.from(b64, 'latin1');
    const { chunks } = answerBody({ data: [{ b64_json: new Base64Image({ bytes: image, format: 'png', width: 1, height: 1, base64: text }) }] });
    assert.ok(chunks.includes(text), 'the same buffer, not a copy');
  });
});
