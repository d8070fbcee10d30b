// Runs after `npm ci` / `npm install` (the `prepare` script): builds the playground and compiles the
// server to dist/server, so that `npm ci && npm start` serves it. An install without dev dependencies
// has no Vite and no TypeScript: the page is skipped with a notice, and the server must be built
// where they are (the Dockerfile's build stage), or run from source with `node bin/retouch.js`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../node_modules/vite/package.json', import.meta.url))) {
  console.warn('retouch: Vite is not installed (dev dependencies omitted); the playground page is not built.');
  process.exit(0);
}
const result = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts'], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
const server = spawnSync(process.execPath, ['scripts/build-server.js'], { stdio: 'inherit' });
process.exit(server.status ?? 1);
