/**
 * Per-minute rate limits count per clock minute. A test that makes N+1 requests and expects the
 * last refused must make them all in one minute: this waits for the next minute when fewer than
 * `needMs` are left of this one (generous by default: requests are slow on a loaded machine).
 */
export async function withinOneMinute(needMs = 30_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 200));
}
