import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ApiError } from '../api.ts';
import type { AdminApi, UsageParams, UsageRow } from './admin-api.ts';
import { $, cell, when } from './dom.ts';

const HOUR = 3_600_000;
const RANGES: Record<string, { ms: number; bucket: 'hour' | 'day' }> = {
  '24h': { ms: 24 * HOUR, bucket: 'hour' },
  '7d': { ms: 7 * 24 * HOUR, bucket: 'hour' },
  '30d': { ms: 30 * 24 * HOUR, bucket: 'day' },
};
/** Latency series drawn at most (the busiest ones): more lines than this cannot be read. */
const MAX_LATENCY_SERIES = 5;
const COLOURS = ['#3451e6', '#1a7f37', '#b3261e', '#9a6700', '#8250df', '#0b7285'];

const message = (err: unknown) => (err instanceof ApiError ? `${err.message} (${err.status})` : String(err));

/** Every bucket start of the range, so quiet hours show as zeros rather than as a line across them. */
function bucketStarts(from: number, to: number, width: number): number[] {
  const out: number[] = [];
  for (let t = from - (from % width); t < to; t += width) out.push(t);
  return out;
}

/** The usage charts (uPlot), their data tables, the CSV download and the recent failures. */
export class UsagePanel {
  private charts: uPlot[] = [];

  constructor(private readonly api: AdminApi) {
    $('usage-refresh').addEventListener('click', () => void this.load());
    for (const id of ['usage-range', 'usage-key', 'usage-group']) $(id).addEventListener('change', () => void this.load());
    $('usage-csv').addEventListener('click', () => void this.downloadCsv());
  }

  private params(groupBy?: 'model' | 'backend'): UsageParams & { width: number } {
    const range = RANGES[$<HTMLSelectElement>('usage-range').value] ?? RANGES['24h']!;
    const width = range.bucket === 'hour' ? HOUR : 24 * HOUR;
    // `to` is the end of the current bucket, so the bucket in progress is whole and drawn.
    const to = Date.now() - (Date.now() % width) + width;
    const keyId = $<HTMLSelectElement>('usage-key').value;
    return { from: to - range.ms, to, bucket: range.bucket, width, ...(groupBy ? { groupBy } : {}), ...(keyId ? { keyId } : {}) };
  }

  async load(): Promise<void> {
    try {
      const p = this.params();
      const groupBy = $<HTMLSelectElement>('usage-group').value as 'model' | 'backend';
      const [totals, byGroup, failures] = await Promise.all([this.api.usage(p), this.api.usage({ ...p, groupBy }), this.api.failures()]);
      for (const c of this.charts) c.destroy();
      this.charts = [this.trafficChart(p, totals), this.latencyChart(p, byGroup)];
      this.renderFailures(failures);
      $('err-usage').textContent = '';
    } catch (err) {
      $('err-usage').textContent = message(err);
    }
  }

  private chartSize(id: string) {
    return { width: Math.max(280, $(id).clientWidth || $(id).parentElement!.clientWidth - 8), height: 240 };
  }

  private trafficChart(p: ReturnType<UsagePanel['params']>, rows: UsageRow[]): uPlot {
    const xs = bucketStarts(p.from, p.to, p.width);
    const at = new Map(rows.map((r) => [Date.parse(r.bucket_start), r]));
    const pick = (k: 'requests' | 'images' | 'errors' | 'refusals') => xs.map((x) => at.get(x)?.[k] ?? 0);
    const sum = (k: 'requests' | 'images' | 'errors' | 'refusals') => rows.reduce((n, r) => n + r[k], 0);
    $('usage-totals').textContent = `In this range: requests ${sum('requests')}, images ${sum('images')}, errors ${sum('errors')}, refusals (429) ${sum('refusals')}.`;

    const body = $<HTMLTableElement>('traffic-table').tBodies[0]!;
    body.replaceChildren(...rows.map((r) => {
      const row = document.createElement('tr');
      cell(row, r.bucket_start.replace('T', ' ').slice(0, 16), true);
      for (const k of ['requests', 'images', 'errors', 'refusals'] as const) cell(row, r[k]);
      return row;
    }));

    const series = (label: string, i: number): uPlot.Series => ({ label, stroke: COLOURS[i], width: 2, points: { show: true, size: 6 } });
    const el = $('traffic-chart');
    el.replaceChildren();
    return new uPlot({
      ...this.chartSize('traffic-chart'),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [{}, series('Requests', 0), series('Images', 1), series('Errors', 2), series('Refusals', 3)],
      axes: [{}, { label: 'per bucket' }],
    }, [xs.map((x) => x / 1000), pick('requests'), pick('images'), pick('errors'), pick('refusals')], el);
  }

  private latencyChart(p: ReturnType<UsagePanel['params']>, rows: UsageRow[]): uPlot {
    const busiest = [...rows.reduce((m, r) => m.set(r.group ?? '(none)', (m.get(r.group ?? '(none)') ?? 0) + r.requests), new Map<string, number>())]
      .sort((a, b) => b[1] - a[1]).slice(0, MAX_LATENCY_SERIES).map(([g]) => g);
    const xs = bucketStarts(p.from, p.to, p.width);
    const data: Array<Array<number | null>> = [xs.map((x) => x / 1000)];
    const series: uPlot.Series[] = [{}];
    busiest.forEach((g, i) => {
      const at = new Map(rows.filter((r) => (r.group ?? '(none)') === g).map((r) => [Date.parse(r.bucket_start), r]));
      for (const [q, dash] of [['p50', undefined], ['p95', [6, 4]]] as const) {
        data.push(xs.map((x) => at.get(x)?.latency_ms[q] ?? null));
        series.push({ label: `${g} ${q}`, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: true, points: { show: true, size: 5 }, ...(dash ? { dash: [...dash] } : {}) });
      }
    });

    const body = $<HTMLTableElement>('latency-table').tBodies[0]!;
    body.replaceChildren(...rows.map((r) => {
      const row = document.createElement('tr');
      cell(row, r.bucket_start.replace('T', ' ').slice(0, 16), true);
      cell(row, r.group ?? '(none)');
      cell(row, r.requests);
      for (const q of ['p50', 'p95', 'p99'] as const) cell(row, Math.round(r.latency_ms[q]));
      return row;
    }));

    const el = $('latency-chart');
    el.replaceChildren();
    return new uPlot({
      ...this.chartSize('latency-chart'),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(10, max ?? 0)] } },
      series,
      axes: [{}, { label: 'ms' }],
    }, data as uPlot.AlignedData, el);
  }

  private renderFailures(failures: Awaited<ReturnType<AdminApi['failures']>>) {
    const body = $<HTMLTableElement>('failures-table').tBodies[0]!;
    body.replaceChildren(...failures.map((f) => {
      const row = document.createElement('tr');
      cell(row, when(f.created_at), true);
      cell(row, f.status);
      cell(row, f.error_code ?? '');
      cell(row, f.model ?? '');
      cell(row, f.backend ?? '');
      // Ids are long and unbroken: they wrap inside their cells instead of pushing the table wider than the panel.
      cell(row, f.key_id ?? '').className = 'id';
      cell(row, f.request_id).className = 'id';
      return row;
    }));
  }

  private async downloadCsv() {
    try {
      // The rows of the latency table: grouped as the page shows them.
      const groupBy = $<HTMLSelectElement>('usage-group').value as 'model' | 'backend';
      const blob = await this.api.usageCsv({ ...this.params(), groupBy });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'retouch-usage.csv';
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      $('err-usage').textContent = message(err);
    }
  }
}
