/**
 * Per-minute rate limits count per clock minute. A test that makes N+1 requests and expects the
 * last refused must make them all in one minute: this waits for the next minute when fewer than
 * `needMs` are left of this one (generous by default: requests are slow on a loaded machine).
 */
export async function withinOneMinute(needMs = 30_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 200));
}

/**
 * Quotas per day and per month count per UTC day (a month ends at a day's end too). A test that
 * spends a quota and expects the next request refused must do it all in one day: this waits for
 * the next UTC day when fewer than `needMs` are left of this one.
 */
export async function withinOneDay(needMs = 60_000): Promise<void> {
  const day = 86_400_000;
  const left = day - (Date.now() % day);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 200));
}
