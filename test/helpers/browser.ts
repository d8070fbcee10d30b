import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (.ci/run installs it with apt), driven by playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';
/** Where browser tests write their screenshots. */
export const SHOTS = path.resolve(import.meta.dirname, '../../test-output');
/**
 * Why a browser test cannot run here, or false. In CI (.ci/run installs Chromium) a missing browser
 * is not a reason to skip: the test runs and fails, rather than passing without having looked.
 */
export const noChromium = () => (existsSync(CHROMIUM) || process.env.CI === 'true' ? false : 'Chromium is not installed (.ci/run installs it with apt)');

/** Headless Chromium with nothing of its own going to the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
