/**
 * Issue 14, defect 2: damaged image data is a 400 invalid_image_file, never a 200 with a grey
 * lower half. A JPEG cut short with its end marker put back, and a tiny JPEG whose header claims
 * 7000x7000, used to decode "successfully" because libjpeg only warns about them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { jpegClaims } from './corpus/cases.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { nodeForm } from './helpers/multipart.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

/** A photo-like JPEG (noise over gradients), so every scan line carries entropy-coded data. */
async function photoJpeg(width: number, height: number, progressive = false): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  let seed = 11;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    data[i] = ((i / 3) % width) * 200 / width + ((seed >> 16) % 40);
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90, progressive }).toBuffer();
}

const EOI = Buffer.from([0xff, 0xd9]);


async function post(image: Buffer) {
  const { body, headers } = await nodeForm([{ name: 'image', file: image }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'make it black and white' }, { name: 'response_format', value: 'b64_json' }]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
}

describe('damaged JPEG data → 400 invalid_image_file', () => {
  for (const progressive of [false, true]) {
    for (const fraction of [0.5, 0.9]) {
      it(`${progressive ? 'progressive' : 'baseline'} JPEG cut at ${fraction * 100} % with an end marker appended`, async () => {
        const full = await photoJpeg(320, 240, progressive);
        const cut = Buffer.concat([full.subarray(0, Math.floor(full.length * fraction)), EOI]);
        assertError(await post(cut), 400, { code: 'invalid_image_file', param: 'image' });
      });
    }
  }

  it('a small JPEG whose header claims 7000x7000 is refused, not decoded to a grey 49 MP image', async () => {
    const lie = jpegClaims(await photoJpeg(200, 150), 7000, 7000);
    assert.ok(lie.length < 64 * 1024);
    const err = assertError(await post(lie), 400, { code: 'invalid_image_file', param: 'image' });
    assert.match(err.message, /corrupt or truncated/);
  });

  it('the same image undamaged still edits (the strict decode refuses damage, not JPEGs)', async () => {
    for (const progressive of [false, true]) {
      const res = await post(await photoJpeg(320, 240, progressive));
      assert.equal(res.statusCode, 200, res.body);
    }
  });
});

describe('a file that is not an image says what it is instead', () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['markup that is not SVG', '<notsvg', /the file is text, not an image/],
    ['an SVG', '<svg xmlns="http://www.w3.org/2000/svg"/>', /SVG\/XML is not supported/],
    ['an SVG behind a generator comment', '<!-- Generator: Adobe Illustrator -->', /SVG\/XML is not supported/],
    ['an HTML page (a URL that answered a login page)', '<!DOCTYPE html><html>', /an HTML page, not an image/],
    ['a PDF', '%PDF-1.7\n%âãÏÓ', /a PDF document, not an image/],
    ['a base64 PNG pasted into a file', 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB', /base64-encoded image; send the decoded bytes/],
    ['binary garbage', Buffer.from([0, 1, 2, 250, 251, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]), /not a PNG, JPEG or WEBP image/],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, async () => {
      const err = assertError(await post(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes)), 400, { code: 'invalid_image_file', param: 'image' });
      assert.match(err.message, message);
    });
  }
});
