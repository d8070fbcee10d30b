/**
 * Writes the bad-input corpus (test/corpus/cases.ts) to test-output/corpus/ (git-ignored), one file
 * per case plus index.json with what each must answer, for probing a running server by hand or with
 * another tool. `npm test` builds the same cases in memory. Usage: npm run corpus [-- DIR]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCorpus } from '../test/corpus/cases.ts';

const dir = path.resolve(process.argv[2] ?? 'test-output/corpus');
const cases = await buildCorpus();
await rm(dir, { recursive: true, force: true });
for (const c of cases) {
  await mkdir(path.dirname(path.join(dir, c.name)), { recursive: true });
  await writeFile(path.join(dir, c.name), c.bytes);
}
const index = cases.map((c) => ({ file: c.name, bytes: c.bytes.length, sendAs: { filename: c.filename, contentType: c.contentType }, expect: c.expect }));
await writeFile(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
process.stdout.write(`wrote ${cases.length} files to ${dir}\n`);
