// Runs after `npm ci` / `npm install` (the `prepare` script): builds the playground so that
// `npm ci && npm start` serves it. An install without dev dependencies has no Vite; the API works
// without the page, so that is a notice, not a failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../node_modules/vite/package.json', import.meta.url))) {
  console.warn('retouch: Vite is not installed (dev dependencies omitted); the playground page is not built.');
  process.exit(0);
}
const result = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
