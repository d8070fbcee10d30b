import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PLAYGROUND_DIR } from '../src/http/routes/playground.ts';
import { launchChromium, noChromium, SHOTS } from './helpers/browser.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { relayConfig, startStandIn, streamingUpstream } from './helpers/stand-in.ts';

const skip = noChromium() || !existsSync(path.join(PLAYGROUND_DIR, 'index.html')) && 'the playground is not built (npm run build)';

let t: TestApp;
let base: string;
let browser: Browser;
let photo: string;

/** A colourful test photo: a red left half and a blue right half, 120x80. */
async function writePhoto(dir: string): Promise<string> {
  const { default: sharp } = await import('sharp');
  const w = 120, h = 80;
  const data = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set((i % w) < w / 2 ? [220, 40, 40] : [40, 60, 220], i * 3);
  const file = path.join(dir, 'photo.png');
  await writeFile(file, await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer());
  return file;
}

/** Reads the result image's pixels through a canvas in the page, as the issue asks. */
function resultPixels(page: Page, points: Array<[number, number]>): Promise<number[][]> {
  return page.evaluate(async (pts) => {
    const img = document.getElementById('after') as HTMLImageElement;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    return pts.map(([fx, fy]) => [...ctx.getImageData(Math.floor(fx * c.width), Math.floor(fy * c.height), 1, 1).data]);
  }, points);
}

async function openPage(key: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  await page.goto(base);
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByLabel('API key', { exact: true }).press('Tab');
  await page.setInputFiles('#file', photo);
  await page.getByLabel('Prompt', { exact: true }).fill('make it black and white');
  if (key === t.key) {
    // The model list comes from GET /v1/models once the key is entered.
    await page.locator('#model option[value="retouch-local-1"]').waitFor({ state: 'attached' });
    await page.getByLabel('Model').selectOption('retouch-local-1');
  }
  return page;
}

const isGrey = (p: number[]) => Math.abs(p[0]! - p[1]!) <= 3 && Math.abs(p[1]! - p[2]!) <= 3;

describe('the playground in a real browser', { skip }, () => {
  let upstream: Awaited<ReturnType<typeof startStandIn>>;
  let relay: Awaited<ReturnType<typeof startStandIn>>;
  before(async () => {
    // A Gemini stand-in that never answers, to watch a slow remote edit and cancel it.
    upstream = await startStandIn(() => 'stall');
    // An OpenAI-compatible upstream that streams two partial images, 1.5 s apart, then the grey result.
    relay = await startStandIn(streamingUpstream(2, 1500));
    t = await startTestApp({ GEMINI_API_KEY: 'g-test', GEMINI_BASE_URL: upstream.origin }, {
      configFile: relayConfig(relay.origin),
    });
    base = await t.listen();
    await mkdir(SHOTS, { recursive: true });
    photo = await writePhoto(t.dataDir);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await upstream?.close();
    await relay?.close();
  });

  it('edits an image: key, upload, prompt, submit, and the result is grey', async () => {
    const page = await openPage(t.key);
    await page.screenshot({ path: path.join(SHOTS, 'playground-before.png'), fullPage: true });
    await page.getByRole('button', { name: 'Edit image' }).click();
    await page.locator('#result').waitFor({ state: 'visible' });
    await page.locator('#plan').getByText('convert to black and white').waitFor();
    assert.equal(await page.locator('#backend').textContent(), 'local');
    const [left, right] = await resultPixels(page, [[0.25, 0.5], [0.75, 0.5]]);
    assert.ok(isGrey(left!) && isGrey(right!), `pixels ${left} ${right}`);
    assert.notDeepEqual(left, right);
    await page.screenshot({ path: path.join(SHOTS, 'playground-after.png'), fullPage: true });
    // The edit is remembered in this browser's history.
    await page.locator('#history li').first().waitFor();
    await page.close();
  });

  it('a painted mask over the left half changes only that half', async () => {
    const page = await openPage(t.key);
    const canvas = page.locator('#mask-canvas');
    await canvas.waitFor({ state: 'visible' });
    await page.getByLabel('Brush size').fill('300');
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.getByRole('button', { name: 'Edit image' }).click();
    await page.locator('#result').waitFor({ state: 'visible' });
    await page.locator('#plan').getByText('convert to black and white').waitFor();
    const [left, right] = await resultPixels(page, [[0.1, 0.5], [0.9, 0.5]]);
    assert.ok(isGrey(left!), `left ${left}`);
    assert.ok(right![2]! > 180 && right![0]! < 80, `right stays blue: ${right}`);
    await page.screenshot({ path: path.join(SHOTS, 'playground-mask.png'), fullPage: true });
    await page.close();
  });

  it('a wrong key shows the 401 message next to the key field', async () => {
    const page = await openPage('sk-not-a-real-key');
    await page.getByRole('button', { name: 'Edit image' }).click();
    const message = page.locator('#err-key');
    await message.getByText('not accepted (401)').waitFor();
    assert.match((await message.textContent())!, /Incorrect API key/);
    await page.close();
  });

  it('an unsupported prompt shows the engine message next to the prompt', async () => {
    const page = await openPage(t.key);
    await page.getByLabel('Prompt', { exact: true }).fill('add a rainbow');
    await page.getByRole('button', { name: 'Edit image' }).click();
    await page.locator('#err-prompt').getByText('unsupported_edit').waitFor();
    await page.close();
  });

  it('takes images by paste and by drop', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    const bytes = [...(await import('node:fs')).readFileSync(photo)];
    const count = (sel: string) => page.locator(sel).count();
    await page.evaluate((b) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], 'pasted.png', { type: 'image/png' }));
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt }));
    }, bytes);
    assert.equal(await count('#thumbs li'), 1);
    await page.evaluate((b) => {
      const dt = new DataTransfer();
      for (const name of ['a.png', 'b.png']) dt.items.add(new File([new Uint8Array(b)], name, { type: 'image/png' }));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    assert.equal(await count('#thumbs li'), 2);
    // A GIF is not taken, and the page says why; the images chosen before stay.
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61])], 'party.gif', { type: 'image/gif' }));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.locator('#err-image').getByText('party.gif: only PNG, JPEG and WEBP images can be edited').waitFor();
    assert.equal(await count('#thumbs li'), 2);
    await page.close();
  });

  it('shows elapsed time during a slow remote edit, and Cancel aborts it', async () => {
    const page = await openPage(t.key);
    await page.locator('#model option[value="nano-banana-pro"]').waitFor({ state: 'attached' });
    await page.getByLabel('Model').selectOption('nano-banana-pro');
    await page.getByRole('button', { name: 'Edit image' }).click();
    await page.locator('#elapsed').getByText(/Working… \d+\.\d s/).waitFor();
    const cancel = page.getByRole('button', { name: 'Cancel' });
    await cancel.click();
    await page.locator('#elapsed').getByText('Cancelled.').waitFor();
    assert.equal(await cancel.isHidden(), true);
    assert.equal(await page.getByRole('button', { name: 'Edit image' }).isEnabled(), true);
    await page.close();
  });

  it('shows partial images as they arrive, then the result', async () => {
    const page = await openPage(t.key);
    await page.getByLabel('Model').selectOption('relayed');
    await page.getByRole('button', { name: 'Edit image' }).click();
    await page.locator('#preview-note').getByText('Preview 1').waitFor();
    assert.match((await page.locator('#after').getAttribute('src'))!, /^data:image\/webp;base64,/, 'the partial, shown as it came');
    assert.equal(await page.locator('#result-actions').isHidden(), true, 'nothing to download while it is a preview');
    await page.screenshot({ path: path.join(SHOTS, 'playground-partial.png'), fullPage: true });
    await page.locator('#preview-note').getByText('Preview 2').waitFor();
    await page.locator('#elapsed').getByText('Done.').waitFor();
    assert.equal(await page.locator('#preview-note').isHidden(), true);
    assert.equal(await page.locator('#backend').textContent(), 'relay');
    const [left, right] = await resultPixels(page, [[0.25, 0.5], [0.75, 0.5]]);
    assert.ok(isGrey(left!) && isGrey(right!), `pixels ${left} ${right}`);
    await page.close();
  });

  it('survives a reload mid-edit: the page follows the same job to its result', async () => {
    const page = await openPage(t.key);
    await page.getByLabel('Model').selectOption('relayed');
    await page.getByRole('button', { name: 'Edit image' }).click();
    await page.locator('#elapsed').getByText(/Working… \d+\.\d s/).waitFor();
    const submitted = relay.requests.length;
    // The key field changed meanwhile (another key pasted): the job is still followed with its own.
    await page.getByLabel('API key', { exact: true }).fill('sk-another-key-entirely');
    await page.getByLabel('API key', { exact: true }).press('Tab');
    await page.reload();
    await page.locator('#elapsed').getByText(/Resuming|Working…|Queued…/).waitFor();
    await page.locator('#elapsed').getByText('Done.').waitFor({ timeout: 30_000 });
    assert.equal(relay.requests.length, submitted, 'the same job, not a second edit');
    const [left, right] = await resultPixels(page, [[0.25, 0.5], [0.75, 0.5]]);
    assert.ok(isGrey(left!) && isGrey(right!), `pixels ${left} ${right}`);
    await page.locator('#history li').first().waitFor();
    // Seen to its end: another reload has nothing to resume.
    await page.reload();
    await page.locator('#history li').first().waitFor();
    assert.equal(await page.locator('#elapsed').textContent(), '');
    await page.close();
  });

  it('falls back to polling when the event stream is cut, and waits out a 503 while it polls', async () => {
    const page = await openPage(t.key);
    await page.getByLabel('Model').selectOption('relayed');
    // A proxy in front of the server that cuts event streams and answers one poll with 503.
    const polls: number[] = [];
    await page.route(/\/v1\/images\/edits\/[^/]+\/events$/, (route) => route.abort('connectionreset'));
    await page.route(/\/v1\/images\/edits\/job_[^/]+$/, async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      if (polls.length === 0) {
        polls.push(503);
        return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { message: 'upstream unavailable', type: 'server_error', param: null, code: null } }) });
      }
      const res = await route.fetch();
      polls.push(res.status());
      return route.fulfill({ response: res });
    });
    const submitted = relay.requests.length;
    await page.getByRole('button', { name: 'Edit image' }).click();
    await page.locator('#elapsed').getByText('Done.').waitFor({ timeout: 60_000 });
    assert.equal(polls[0], 503, 'the first poll met the 503');
    assert.ok(polls.slice(1).includes(200), `a later poll got the job: ${polls.join(' ')}`);
    assert.equal(relay.requests.length, submitted + 1, 'one edit, not a retry of the submit');
    assert.equal(await page.locator('#backend').textContent(), 'relay');
    const [left, right] = await resultPixels(page, [[0.25, 0.5], [0.75, 0.5]]);
    assert.ok(isGrey(left!) && isGrey(right!), `pixels ${left} ${right}`);
    await page.close();
  });

  it('chains edits, and re-opens history after a reload', async () => {
    const page = await openPage(t.key);
    await page.getByRole('button', { name: 'Edit image' }).click();
    await page.locator('#plan').getByText('convert to black and white').waitFor();
    await page.getByRole('button', { name: 'Edit this result further' }).click();
    await page.getByLabel('Prompt', { exact: true }).fill('rotate it 90 degrees');
    await page.getByRole('button', { name: 'Edit image' }).click();
    await page.locator('#plan').getByText('rotate 90 degrees clockwise').waitFor();
    const dims = await page.evaluate(async () => {
      const img = document.getElementById('after') as HTMLImageElement;
      await img.decode();
      return [img.naturalWidth, img.naturalHeight];
    });
    assert.deepEqual(dims, [80, 120], 'the rotation applied to the previous result');
    const [p] = await resultPixels(page, [[0.5, 0.1]]);
    assert.ok(isGrey(p!), 'and the previous edit is still there');
    await page.reload();
    await page.locator('#history li').first().waitFor();
    await page.locator('#history li button').first().click();
    await page.locator('#result').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#plan').textContent(), 'rotate 90 degrees clockwise');
    await page.close();
  });

  it('labels every control, and the form can be used from the keyboard', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button, canvas')]
      .filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent?.trim())))
      .map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabelled, []);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'key');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'drop');
    await page.close();
  });

  it('works at phone width', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.goto(base);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
    await page.screenshot({ path: path.join(SHOTS, 'playground-phone.png'), fullPage: true });
    await page.close();
  });
});
