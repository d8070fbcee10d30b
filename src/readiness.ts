import { RetouchError } from './errors.ts';

/** A named dependency a process needs to do its work, and how to find out it is there. */
export type ReadinessChecks = Record<string, () => Promise<unknown>>;

/** A probe for a blob store: a read of a name that is never written, which must answer (with nothing). */
export const BLOB_PROBE = 'ready-probe';

const CHECK_TIMEOUT_MS = 3000;

/**
 * Runs every check at once, each with a short timeout. Resolves when all pass; otherwise throws a 503
 * naming the parts that failed (never their errors, which may hold hosts or credentials).
 */
export async function assertReady(checks: ReadinessChecks): Promise<void> {
  const names = Object.keys(checks);
  const settled = await Promise.allSettled(names.map((n) => withTimeout(checks[n]!())));
  const failed = names.filter((_, i) => settled[i]!.status === 'rejected');
  if (failed.length) {
    throw new RetouchError(`Not ready: ${failed.join(', ')} cannot be reached.`, { status: 503, type: 'server_error', code: 'service_unavailable', param: null, retryAfter: 1 });
  }
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
