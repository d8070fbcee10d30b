/**
 * Scaling with size: black and white and resize 50% end to end over HTTP at 0.25 to 48 MP, as time
 * per megapixel (flat = linear cost), with sharp in-process alongside; drawn to docs/scaling.svg.
 *
 *   npm run bench -- scaling
 */
import { writeFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import { LUMA_MATRIX } from '../src/backends/local/steps/color-matrix.ts';
import { machine, table, today, writeSection } from './lib/doc.ts';
import { dims43, photo } from './lib/images.ts';
import { editForm, multipartBody, postRaw, startRetouch } from './lib/server.ts';
import { interleavedMs } from './lib/stats.ts';

const SIZES = [0.25, 1, 4, 12, 24, 48];
const JPEG = { quality: 90, optimiseCoding: false } as const;
const OPS = [
  { name: 'black and white', prompt: 'make it black and white', floor: (s: Sharp) => s.recomb(LUMA_MATRIX) },
  { name: 'resize 50%', prompt: 'scale to 50%', floor: (s: Sharp, w: number) => s.resize(Math.round(w / 2)) },
];

type Series = { name: string; dashed: boolean; points: Array<[number, number]> };

/** A small line chart of ms per megapixel against megapixels (log scale), as SVG. */
function chart(series: Series[]): string {
  const W = 720, H = 360, L = 60, R = 230, T = 20, B = 50;
  const xs = SIZES.map((mp) => Math.log2(mp));
  const yMax = Math.ceil(Math.max(...series.flatMap((s) => s.points.map(([, y]) => y))) / 5) * 5;
  const x = (mp: number) => L + ((Math.log2(mp) - xs[0]!) / (xs.at(-1)! - xs[0]!)) * (W - L - R);
  const y = (v: number) => T + (1 - v / yMax) * (H - T - B);
  const colors = ['#1f77b4', '#d62728'];
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<line x1="${L}" y1="${y(0)}" x2="${W - R}" y2="${y(0)}" stroke="#333"/><line x1="${L}" y1="${T}" x2="${L}" y2="${y(0)}" stroke="#333"/>`];
  for (const mp of SIZES) parts.push(`<text x="${x(mp).toFixed(1)}" y="${H - B + 18}" text-anchor="middle">${mp}</text>`);
  for (let v = 0; v <= yMax; v += yMax / 5) parts.push(`<text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(0)}</text><line x1="${L}" y1="${y(v).toFixed(1)}" x2="${W - R}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle">megapixels (log scale)</text>`,
    `<text x="14" y="${(T + H - B) / 2}" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">ms per megapixel</text>`);
  series.forEach((s, i) => {
    const color = colors[Math.floor(i / 2) % colors.length];
    const d = s.points.map(([mp, v], j) => `${j ? 'L' : 'M'}${x(mp).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
      `<line x1="${W - R + 12}" y1="${T + 10 + i * 20}" x2="${W - R + 36}" y2="${T + 10 + i * 20}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
      `<text x="${W - R + 42}" y="${T + 14 + i * 20}">${s.name}</text>`);
  });
  return `${parts.join('\n')}\n</svg>\n`;
}

export async function scalingBench() {
  const retouch = await startRetouch();
  const url = `${retouch.base}/v1/images/edits`;
  const rows: Array<Array<string | number>> = [];
  const series: Series[] = OPS.flatMap((op) => [
    { name: `${op.name}, Retouch`, dashed: false, points: [] as Array<[number, number]> },
    { name: `${op.name}, sharp`, dashed: true, points: [] as Array<[number, number]> },
  ]);
  for (const mp of SIZES) {
    const [w, h] = dims43(mp);
    const image = await photo(w, h);
    for (const [i, op] of OPS.entries()) {
      const body = await multipartBody(editForm(image, { model: 'retouch-local-1', prompt: op.prompt, output_format: 'jpeg' }));
      const t = await interleavedMs({
        http: () => postRaw(url, retouch.secret, body),
        floor: () => op.floor(sharp(image).autoOrient(), w).jpeg(JPEG).toBuffer(),
      }, 5);
      const real = (w * h) / 1e6;
      series[2 * i]!.points.push([mp, t.http / real]);
      series[2 * i + 1]!.points.push([mp, t.floor / real]);
      rows.push([op.name, `${mp} (${w}x${h})`, t.http.toFixed(0), (t.http / real).toFixed(1), (t.floor / real).toFixed(1)]);
      process.stdout.write(`${rows.at(-1)!.join(' | ')}\n`);
    }
  }
  await retouch.close();
  await writeFile('docs/scaling.svg', chart(series));
  // Linear cost means t = fixed + perMP·MP: fit that by least squares on relative error (weights
  // 1/t², so a 9 ms request counts as much as a 450 ms one) and report how well it holds.
  const spread = OPS.map((op, i) => {
    const pts = series[2 * i]!.points.map(([mp, perMp]) => [mp, perMp * mp] as const);
    const sum = (f: (m: number, t: number) => number) => pts.reduce((a, [m, t]) => a + f(m, t) / t ** 2, 0);
    const [sw, sm, st, smm, smt] = [sum(() => 1), sum((m) => m), sum((_, t) => t), sum((m) => m * m), sum((m, t) => m * t)];
    const slope = (sw * smt - sm * st) / (sw * smm - sm * sm);
    const fixed = (st - slope * sm) / sw;
    const worst = Math.max(...pts.map(([m, t]) => Math.abs(t - (fixed + slope * m)) / t));
    const per = series[2 * i]!.points.filter(([mp]) => mp >= 4).map(([, v]) => v);
    const mid = [...per].sort((a, b) => a - b)[Math.floor(per.length / 2)]!;
    const within = Math.max(...per.map((v) => Math.abs(v / mid - 1)));
    return `${op.name}: ${fixed.toFixed(1)} ms per request + ${slope.toFixed(2)} ms per MP fits every size to within ${(worst * 100).toFixed(0)}%; time per MP from 4 MP up is within ${(within * 100).toFixed(0)}% of its median`;
  });
  await writeSection('scaling', `## Scaling with size

Command: \`npm run bench -- scaling\` (run on ${today()}; ${machine()}).
JPEG in and out, \`url\` answers, medians of 5 runs in turns with sharp alone doing the same. Target:
time per megapixel within ±25% across sizes (linear cost). ${spread.join('. ')}. Below 4 MP the
per-request cost (upload, parse, usage record, writing the result) is a large share of a small
image's time, for sharp alone too, so time per megapixel rises there.

![time per megapixel against size](scaling.svg)

${table(['operation', 'megapixels', 'Retouch over HTTP (ms)', 'Retouch ms/MP', 'sharp ms/MP'], rows, ['l', 'r', 'r', 'r', 'r'])}`);
}
