import assert from 'node:assert/strict';

/** Asserts an OpenAI error envelope with all four keys and the expected status, code and param. */
export function assertError(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  expected: { code: string | null; type?: string; param?: string | null },
) {
  const body = JSON.parse(res.body);
  assert.equal(res.statusCode, status, `status ${res.statusCode}, body ${res.body}`);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(body.error.code, expected.code, res.body);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
  if (expected.type) assert.equal(body.error.type, expected.type);
  if (expected.param !== undefined) assert.equal(body.error.param, expected.param, res.body);
  assert.match(String(res.headers['x-request-id']), /^req_/);
  // Never leak paths or stacks.
  assert.doesNotMatch(body.error.message, /\/tmp\/|\/work\/|node_modules|at .*\.ts:\d+/);
  return body.error as { message: string; type: string; param: string | null; code: string | null };
}
