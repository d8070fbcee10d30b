import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConcurrencyLimiter } from '../src/backends/limiter.ts';
import { RetouchError } from '../src/errors.ts';

/** A call that runs until `finish()` is called; `started` says whether it got in. */
function call(limiter: ConcurrencyLimiter, weight: number, signal = new AbortController().signal) {
  let finish!: () => void;
  const state = { started: false, done: undefined as Promise<unknown> | undefined, finish: () => finish() };
  state.done = limiter.run(() => {
    state.started = true;
    return new Promise<void>((r) => { finish = r; });
  }, signal, weight);
  return state;
}
const tick = () => new Promise((r) => setImmediate(r));

describe('ConcurrencyLimiter with weights', () => {
  it('a heavy call waits until it fits, and calls behind it do not overtake it', async () => {
    const limiter = new ConcurrencyLimiter('t', 2, 10);
    const small = call(limiter, 1);
    const heavy = call(limiter, 2);
    const after = call(limiter, 1);
    await tick();
    assert.deepEqual([small.started, heavy.started, after.started], [true, false, false], 'one unit is free, but the heavy call at the head needs two');
    small.finish();
    await small.done;
    await tick();
    assert.deepEqual([heavy.started, after.started], [true, false]);
    heavy.finish();
    await heavy.done;
    await tick();
    assert.equal(after.started, true);
    after.finish();
    await after.done;
  });

  it('a call heavier than the whole limit still runs, alone', async () => {
    const limiter = new ConcurrencyLimiter('t', 2, 10);
    const huge = call(limiter, 7);
    await tick();
    assert.equal(huge.started, true);
    const next = call(limiter, 1);
    await tick();
    assert.equal(next.started, false);
    huge.finish();
    await huge.done;
    await tick();
    assert.equal(next.started, true);
    next.finish();
    await next.done;
  });

  it('a waiting heavy call that gives up lets lighter calls behind it in', async () => {
    const limiter = new ConcurrencyLimiter('t', 2, 10);
    const small = call(limiter, 1);
    const leaving = new AbortController();
    const heavy = call(limiter, 2, leaving.signal);
    const light = call(limiter, 1);
    await tick();
    assert.equal(light.started, false);
    leaving.abort();
    await assert.rejects(heavy.done!, (e) => e instanceof RetouchError);
    await tick();
    assert.equal(light.started, true);
    small.finish();
    light.finish();
    await Promise.all([small.done, light.done]);
    assert.equal(limiter.inFlight, 0);
  });
});
