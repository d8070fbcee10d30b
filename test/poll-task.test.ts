import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_POLICY } from '../src/config/routing.ts';
import { pollDelay, UpstreamTask } from '../src/backends/poll/task.ts';
import { RetouchError } from '../src/errors.ts';

const task = (baseUrl: string, siblings = false) => new UpstreamTask({ ...DEFAULT_POLICY, name: 'p', type: 'bfl', baseUrl }, new AbortController().signal, 500, siblings);
const refused = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof RetouchError && e.status === 502 && /not followed|not a URL/.test(e.message));

describe('the submit-and-poll task', () => {
  it('follows URLs on the upstream\'s own host only', () => {
    const t = task('https://queue.fal.run');
    assert.equal(t.ownUrl('https://queue.fal.run/fal-ai/x/requests/1/status', 'polling'), 'https://queue.fal.run/fal-ai/x/requests/1/status');
    refused(() => t.ownUrl('https://evil.example/steal', 'polling'));
    refused(() => t.ownUrl('http://queue.fal.run/x', 'polling'));
    refused(() => t.ownUrl('https://other.fal.run/x', 'polling'));
    refused(() => t.ownUrl('https://queue.fal.run:8443/x', 'polling'));
    refused(() => t.ownUrl('not a url', 'polling'));
  });

  it('with siblingHosts, other hosts of the same domain too (BFL\'s regional hosts), never a bare IP\'s neighbours', () => {
    const t = task('https://api.bfl.ai', true);
    assert.ok(t.ownUrl('https://api.us1.bfl.ai/v1/get_result?id=1', 'polling'));
    refused(() => t.ownUrl('https://api.bfl.ai.evil.example/x', 'polling'));
    refused(() => t.ownUrl('https://notbfl.ai/x', 'polling'));
    const ip = task('http://127.0.0.1:9000', true);
    assert.ok(ip.ownUrl('http://127.0.0.1:9000/x', 'polling'));
    refused(() => ip.ownUrl('http://127.0.0.2:9000/x', 'polling'));
  });

  it('polls back off from the base interval to ten times it', () => {
    assert.deepEqual([0, 1, 2, 3].map((n) => pollDelay(n, 500)), [500, 750, 1125, 1687.5]);
    assert.equal(pollDelay(50, 500), 5000);
  });
});
