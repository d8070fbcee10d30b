// `npm run build` (server half): compiles src/ to dist/server/ so production processes start without
// compiling TypeScript at run time (a worker reaches /ready in about half the time: docs/performance.md).
// The engine's worker-thread files are plain .mjs and are copied as they are.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(root, 'dist/server');
rmSync(out, { recursive: true, force: true }); // no file of a removed module lingers
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
for (const file of readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.mjs')) cpSync(path.join(root, 'src', file), path.join(out, file));
}
