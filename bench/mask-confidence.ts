/**
 * Measures the mask-confidence statistics (src/backends/local/segment/confidence.ts) that decide
 * whether a background edit is refused, so its thresholds can be read off with their margins:
 *
 *   node --import tsx bench/mask-confidence.ts
 *
 * Each case is an edit run through the local engine, once with GrabCut and once with IS-Net (when
 * installed), with the segmenter wrapped so the mask it made is kept: (a) the photos and prompts the
 * tests segment today, which must go on succeeding; (b) clean product shots; (c) busy scenes that
 * reproduce wrong masks seen in blind evaluations, which must be refused; (d) portraits whose shirt
 * the segmenters drop, reported as what the check does not catch. IoU is against the scene's ground
 * truth where it has one. Not part of `npm test` (IS-Net takes ~2 s an image); prints a markdown table.
 */
import sharp from 'sharp';
import { LocalBackend } from '../src/backends/local/index.ts';
import { maskDoubt, maskStatistics, type MaskStatistics } from '../src/backends/local/segment/confidence.ts';
import { GrabCutSegmenter } from '../src/backends/local/segment/grabcut.ts';
import type { Segmenter, SubjectMask } from '../src/backends/local/segment/index.ts';
import { isNetFromPackage } from '../src/backends/local/segment/onnx.ts';
import { EngineWorkers } from '../src/backends/local/worker-pool.ts';
import type { Raster } from '../src/images/raster.ts';
import { editRequest, limits } from '../test/helpers/engine.ts';
import { card } from '../test/helpers/images.ts';
import { ballScene, bottleScene, iou, portraitScene, wideProductScene } from '../test/helpers/scenes.ts';

type RGB = [number, number, number];
type Group = 'tests' | 'clean' | 'busy' | 'portrait';
interface Case { group: Group; name: string; prompt: string; image: () => Promise<Buffer>; truth?: () => Promise<Uint8Array> }

/** test/engine-recolor.test.ts's scene: a red ball, grey boxes beside it, a red corner, on light texture. */
async function recolorScene(): Promise<Buffer> {
  const W = 480, H = 360, data = Buffer.alloc(W * H * 3), r = H * 0.25;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const i = (y * W + x) * 3, d = Math.hypot(x - W / 2, y - H / 2), n = ((x * 7 + y * 13) % 17) - 8;
    if (d < r) { const shade = 0.55 + 0.45 * (1 - d / r); data.set([Math.round(220 * shade), Math.round(35 * shade), Math.round(30 * shade)], i); }
    else if ((x > 40 && x < 100 && y > 140 && y < 220) || (x > 380 && x < 440 && y > 140 && y < 220)) data.set([128, 128, 128], i);
    else if (x < 20 && y < 20) data.set([230, 20, 20], i);
    else data.set([200 + n, 205 + n, 210 + n], i);
  }
  return sharp(data, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
}

/** test/engine-recolor-lightness.test.ts's red cup lit from the left, with a handle, on light texture. */
async function cupScene(): Promise<Buffer> {
  const W = 480, H = 360, data = Buffer.alloc(W * H * 3);
  const shadeAt = (x: number) => 0.45 + 0.55 * Math.max(0, Math.cos(((x - 220) / 90) * (Math.PI / 2)));
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const n = ((x * 7 + y * 13) % 17) - 8;
    const body = x >= 180 && x < 300 && y >= 100 && y < 280;
    const handle = Math.abs(Math.hypot(x - 315, y - 190) - 30) < 6 && x >= 300;
    const s = shadeAt(Math.min(x, 300));
    data.set(body || handle ? [200 * s, 30 * s, 35 * s].map(Math.round) : [200 + n, 205 + n, 210 + n], (y * W + x) * 3);
  }
  return sharp(data, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
}

/** test/engine-cutout.test.ts's orange disc, flattened onto blue: an opaque photo with an alpha band. */
async function discOnBlue(): Promise<Buffer> {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="180"><circle cx="120" cy="95" r="60" fill="#ff8800"/></svg>';
  return sharp(Buffer.from(svg)).flatten({ background: '#2060a0' }).png().toBuffer();
}

const PALETTE_2: RGB[] = [[30, 60, 160], [240, 240, 240], [250, 200, 40], [20, 20, 20]];
const scene = (make: () => Promise<{ png: Buffer; truth: Uint8Array }>) => {
  let made: ReturnType<typeof make> | undefined;
  const get = () => (made ??= make());
  return { image: async () => (await get()).png, truth: async () => (await get()).truth };
};

const CASES: Case[] = [
  { group: 'tests', name: 'ball scene (engine-background, engine-table, segment-isnet)', prompt: 'remove the background', ...scene(() => ballScene()) },
  { group: 'tests', name: 'ball scene, rotated 90° first (engine-background)', prompt: 'rotate 90 degrees and make the background white', image: async () => (await ballScene()).png },
  { group: 'tests', name: 'wide red product (engine-table)', prompt: 'white background', image: async () => (await wideProductScene()).png },
  { group: 'tests', name: 'black bag (engine-table)', prompt: 'make the black bag red', image: async () => (await wideProductScene(480, 360, [30, 30, 34])).png },
  { group: 'tests', name: 'ball, boxes and red corner (engine-recolor)', prompt: 'make the red ball green', image: recolorScene },
  { group: 'tests', name: 'red cup (engine-recolor-lightness)', prompt: 'make the red cup blue', image: cupScene },
  { group: 'tests', name: 'disc on blue with alpha band (engine-cutout)', prompt: 'make the background white', image: async () => sharp(await discOnBlue()).ensureAlpha().png().toBuffer() },
  { group: 'tests', name: 'disc on blue turned 30° (engine-cutout)', prompt: 'rotate 30 degrees and make the background white', image: discOnBlue },
  { group: 'tests', name: 'test card 64x48 (metrics)', prompt: 'remove the background', image: () => card() },
  { group: 'tests', name: 'solid 40x30 (engine-limits)', prompt: 'remove the background', image: () => sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).png().toBuffer() },
  { group: 'clean', name: 'white bottle on white', prompt: 'make the background white', ...scene(() => bottleScene({ plain: [235, 235, 235] })) },
  { group: 'clean', name: 'white bottle on grey', prompt: 'make the background white', ...scene(() => bottleScene({ plain: [150, 155, 160] })) },
  { group: 'clean', name: 'green bottle on beige', prompt: 'make the background white', ...scene(() => bottleScene({ plain: [220, 205, 180], bottle: [40, 120, 70], label: [240, 240, 240] })) },
  { group: 'busy', name: 'white bottle, red stripes and circles', prompt: 'make the background white', ...scene(() => bottleScene()) },
  { group: 'busy', name: 'same, another layout', prompt: 'make the background white', ...scene(() => bottleScene({ seed: 2 })) },
  { group: 'busy', name: 'green bottle, red stripes and circles', prompt: 'make the background white', ...scene(() => bottleScene({ bottle: [40, 120, 70], label: [240, 240, 240] })) },
  { group: 'busy', name: 'white bottle, blue stripes and circles', prompt: 'make the background white', ...scene(() => bottleScene({ palette: PALETTE_2, bottle: [240, 240, 240], label: [30, 60, 160], seed: 11 })) },
  { group: 'busy', name: 'amber bottle, blue stripes and circles', prompt: 'make the background white', ...scene(() => bottleScene({ palette: PALETTE_2, bottle: [150, 90, 30], label: [240, 240, 240], seed: 3 })) },
  { group: 'portrait', name: 'portrait, blue shirt', prompt: 'blur the background', ...scene(() => portraitScene()) },
  { group: 'portrait', name: 'portrait, shirt close to the wall', prompt: 'blur the background', ...scene(() => portraitScene({ shirt: [170, 165, 152] })) },
];

/** Passes segmentation through and keeps the last image and mask it saw. */
class Recording implements Segmenter {
  last?: { image: Raster; mask: SubjectMask };
  constructor(private readonly inner: Segmenter) {}
  get name() { return this.inner.name; }
  async segment(image: Raster, signal: AbortSignal): Promise<SubjectMask> {
    const mask = await this.inner.segment(image, signal);
    this.last = { image, mask };
    return mask;
  }
}

const workers = new EngineWorkers();
const segmenters = [new GrabCutSegmenter(workers), isNetFromPackage(workers)].filter((s): s is NonNullable<typeof s> => s !== null);
const rows: string[] = [];
const f = (v: number, d = 3) => v.toFixed(d);
for (const c of CASES) {
  for (const inner of segmenters) {
    const recording = new Recording(inner);
    const engine = new LocalBackend(limits.maxInputPixels, { concurrency: 1, queue: 4 }, workers, recording);
    let outcome: string;
    try {
      await engine.edit(await editRequest(await c.image(), c.prompt), { model: 'retouch-local-1', signal: new AbortController().signal });
      outcome = '200';
    } catch (e) {
      outcome = (e as { code?: string }).code ?? String(e);
    }
    const seen = recording.last;
    if (!seen) { rows.push(`| ${c.group} | ${c.name} | ${inner.name} | not segmented | | | | | | ${outcome} |`); continue; }
    const s: MaskStatistics = await maskStatistics(seen.image, seen.mask);
    const truth = c.truth && seen.image.width * seen.image.height === (await c.truth()).length ? f(iou(seen.mask.data, await c.truth()), 2) : '';
    const why = maskDoubt(s);
    rows.push(`| ${c.group} | ${c.name} | ${inner.name} | ${truth} | ${f(s.uncertain)} | ${s.borderRuns} | ${f(s.busy)} | ${f(s.overlap, 2)} | ${why ? why.split(' ').slice(0, 4).join(' ') + '…' : ''} | ${outcome} |`);
    process.stderr.write('.');
  }
}
await workers.close();
process.stdout.write(`\n| group | image | segmenter | IoU | uncertain | border runs | busy | overlap | doubt | answer |\n|---|---|---|---:|---:|---:|---:|---:|---|---|\n${rows.join('\n')}\n`);
