/**
 * `npm run bench` runs every benchmark; `npm run bench -- engine relay` runs the ones named. Each
 * rewrites its own section of docs/performance.md. Timing never belongs in `npm test`.
 */
import { clusterBench } from './cluster.ts';
import { coldStartBench } from './cold-start.ts';
import { encodersBench } from './encoders.ts';
import { engineBench } from './engine.ts';
import { jobsBench } from './jobs.ts';
import { memoryBench } from './memory.ts';
import { parseBench } from './parse.ts';
import { portsBench } from './ports.ts';
import { relayBench } from './relay.ts';
import { scalingBench } from './scaling.ts';
import { soakBench } from './soak.ts';
import { throughputBench } from './throughput.ts';
import { uploadsBench } from './uploads.ts';

const BENCHES: Record<string, () => Promise<void>> = {
  cluster: clusterBench,
  'cold-start': coldStartBench,
  encoders: encodersBench,
  engine: engineBench,
  jobs: jobsBench,
  memory: memoryBench,
  parse: parseBench,
  ports: portsBench,
  relay: relayBench,
  scaling: scalingBench,
  soak: soakBench,
  throughput: throughputBench,
  uploads: uploadsBench,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHES));
if (unknown.length) {
  process.stderr.write(`Unknown benchmark ${unknown.join(', ')}; choose from: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(2);
}
// The soak takes 20 minutes on its own: it runs only when named.
const EXPLICIT_ONLY = new Set(['soak']);
for (const name of wanted.length ? wanted : Object.keys(BENCHES).filter((n) => !EXPLICIT_ONLY.has(n))) {
  process.stdout.write(`\n== ${name} ==\n`);
  await BENCHES[name]!();
}
process.stdout.write('\nwrote docs/performance.md\n');
