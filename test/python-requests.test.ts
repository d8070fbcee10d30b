import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel } from './helpers/images.ts';

const hasRequests = spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore' }).status === 0;

let t: TestApp;
let base: string;
before(async () => {
  t = await startTestApp();
  base = await t.listen();
});
after(async () => { await t.close(); });

// The relay page's client example, as users copy it (contract section 1); .ci/run installs requests.
const EXAMPLE = `
import requests, sys
url = sys.argv[1] + "/v1/images/edits"
headers = {"Authorization": "Bearer " + sys.argv[2]}
with open(sys.argv[3], "rb") as f:
    files = {"image": f}
    data = {"model": "nano-banana-1", "prompt": "make it black and white"}
    response = requests.post(url, headers=headers, files=files, data=data)
result = response.json()
print(result["data"][0]["url"])
`;

describe('the contract Python requests example', { skip: hasRequests ? false : 'python3 with requests is not installed (.ci/run installs it)' }, () => {
  it('works unchanged and yields a hosted black-and-white WEBP', async () => {
    const dir = t.dataDir;
    const script = path.join(dir, 'example.py');
    const image = path.join(dir, 'photo.png');
    await writeFile(script, EXAMPLE);
    await writeFile(image, await card());
        // Async on purpose: the server runs in this process, so a blocking spawn would deadlock.
    const { stdout } = await promisify(execFile)('python3', [script, base, t.key, image], { encoding: 'utf8' });
    const url = stdout.trim();
    assert.match(url, /\/img\/img_\w+\.webp$/);
    const res = await fetch(url);
    assert.equal(res.headers.get('content-type'), 'image/webp');
    const out = await decode(Buffer.from(await res.arrayBuffer()));
    const p = pixel(out, 20, 20);
    assert.ok(Math.abs(p[0]! - p[2]!) <= 2, `pixel ${p}`);
  });
});
