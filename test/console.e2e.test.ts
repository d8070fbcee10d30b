import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { PLAYGROUND_DIR } from '../src/http/routes/playground.ts';
import { launchChromium, noChromium, SHOTS } from './helpers/browser.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { withinOneMinute } from './helpers/clock.ts';

const ADMIN = 'sk-admin-console-0123456789abcdef';
const skip = noChromium() || !existsSync(path.join(PLAYGROUND_DIR, 'console.html')) && 'the console is not built (npm run build)';

describe('the console in a real browser', { skip }, () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  before(async () => {
    t = await startTestApp({ RETOUCH_ADMIN_KEYS: ADMIN });
    base = await t.listen();
    await mkdir(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function edit(secret: string) {
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'make it black and white' }]);
    return fetch(`${base}/v1/images/edits`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${secret}` }, body: new Uint8Array(body) });
  }

  it('an admin creates a 5-a-minute key; its 6th request gets 429; the chart shows the 6 requests and the refusal', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 1500 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await context.newPage();
    await page.goto(`${base}/console.html`);

    // An ordinary key is turned away with the reason.
    await page.getByLabel('Admin key', { exact: true }).fill(t.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#err-login').getByText('not an admin key (403)').waitFor();

    await page.getByLabel('Admin key', { exact: true }).fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#keys-table tbody tr').first().waitFor();

    await page.getByLabel('Name', { exact: true }).fill('five a minute');
    await page.getByLabel('Requests per minute', { exact: true }).first().fill('5');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secretBox = page.locator('#secret-once');
    await secretBox.waitFor({ state: 'visible' });
    const secret = await page.locator('#secret-value').inputValue();
    assert.match(secret, /^sk-/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.locator('#copy-status').getByText('Copied').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    const row = page.locator('#keys-table tbody tr', { hasText: 'five a minute' });
    await row.getByText('5 rpm').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'console-key-created.png'), fullPage: true });
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.locator('#secret-value').inputValue(), '', 'the secret leaves the page');
    const keyId = await row.getAttribute('data-key-id');
    assert.ok(keyId);

    await withinOneMinute();
    const statuses: number[] = [];
    let refusal: { error: { code: string } } | undefined;
    for (let i = 0; i < 6; i++) {
      const res = await edit(secret);
      statuses.push(res.status);
      if (res.status === 429) refusal = await res.json();
      else await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    assert.equal(refusal?.error.code, 'rate_limit_exceeded');

    // The console's usage for that key: 6 requests, 5 images, 1 refusal, drawn by uPlot.
    await page.getByLabel('Key', { exact: true }).selectOption(keyId!);
    await page.getByRole('button', { name: 'Refresh' }).click();
    const totals = page.locator('#usage-totals');
    await totals.getByText('requests 6').waitFor();
    assert.equal(await totals.textContent(), 'In this range: requests 6, images 5, errors 1, refusals (429) 1.');
    await page.locator('#traffic-table').evaluate((el) => { (el.closest('details') as HTMLDetailsElement).open = true; });
    const cells = await page.locator('#traffic-table tbody tr').first().locator('td').allTextContents();
    assert.deepEqual(cells, ['6', '5', '1', '1']);
    // The chart is uPlot's: its legend names the series, and its canvas has drawn lines on it.
    const chart = page.locator('#traffic-chart');
    for (const label of ['Requests', 'Images', 'Errors', 'Refusals']) await chart.locator('.u-legend').getByText(label).waitFor();
    const painted = await chart.locator('canvas').evaluate((c: HTMLCanvasElement) => {
      const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && !(data[i] === data[i + 1] && data[i + 1] === data[i + 2])) coloured++;
      return coloured;
    });
    assert.ok(painted > 50, `the chart drew ${painted} coloured pixels`);
    await page.locator('#latency-chart .u-legend').getByText('retouch-local-1 p95').waitFor();

    // And the refusal is among the recent failures, with its code.
    await page.locator('#failures-table tbody tr', { hasText: 'rate_limit_exceeded' }).first().waitFor();
    // Every column, the request id included, is in view on a laptop screen: no sideways scrolling.
    const hidden = await page.locator('#failures-table').evaluate((table) => table.scrollWidth - table.parentElement!.clientWidth);
    assert.ok(hidden <= 0, `the failures table is ${hidden}px wider than its panel`);
    await page.screenshot({ path: path.join(SHOTS, 'console-usage.png'), fullPage: true });
    await context.close();
  });

  it('sets a key\'s limits and revokes it from the table', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 1200 } });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/console.html`);
    await page.getByLabel('Admin key', { exact: true }).fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.locator('#keys-table tbody tr', { hasText: 'five a minute' });
    await row.getByRole('button', { name: 'Set limits of five a minute' }).click();
    await page.getByLabel('Images per day', { exact: true }).last().fill('40');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await row.getByText('5 rpm, 40 images/day').waitFor();
    const id = (await row.getAttribute('data-key-id'))!;
    assert.deepEqual((await t.app.services.keys.get(id))?.limits, { rpm: 5, imagesPerDay: 40 });
    await row.getByRole('button', { name: 'Revoke five a minute' }).click();
    await row.getByText(/^revoked/).waitFor();
    assert.notEqual((await t.app.services.keys.get(id))?.revokedAt, null);
    await page.screenshot({ path: path.join(SHOTS, 'console-keys.png'), fullPage: true });
    await context.close();
  });

  it('labels every control, and fits a phone', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.goto(`${base}/console.html`);
    await page.getByLabel('Admin key', { exact: true }).fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#keys-table tbody tr').first().waitFor();
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent?.trim())))
      .map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabelled, []);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
    await page.close();
  });
});
