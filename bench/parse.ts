/**
 * How long reading a prompt takes: parsePrompt over every prompt of the prompt tables (seven
 * languages, accepted and refused), against two floors measured in the same run on the same
 * prompts: Unicode normalisation alone, and Intl.Segmenter word segmentation (what any tokeniser
 * of these languages costs at least). Target: a median under 1 ms, so refusals stay instant.
 *
 *   npm run bench -- parse
 */
import { performance } from 'node:perf_hooks';
import { machine, table, today, writeSection } from './lib/doc.ts';
import { median, percentile } from './lib/stats.ts';

const TABLES = ['en', 'zh', 'ja', 'es', 'de', 'fr', 'pt', 'holdout-en', 'holdout-zh', 'holdout-ja', 'holdout-es', 'holdout-de', 'holdout-fr', 'holdout-pt', 'fresh'];
const ROUNDS = 15;

type Case = [string, string[] | 'refuse'];

/** Median time of `fn(prompt)` per prompt, in microseconds, each prompt timed in turn over ROUNDS rounds. */
function perPrompt(prompts: string[], fn: (p: string) => unknown): number[] {
  const samples = prompts.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    prompts.forEach((p, i) => {
      const t0 = performance.now();
      try { fn(p); } catch { /* refusals are answers too */ }
      samples[i]!.push((performance.now() - t0) * 1000);
    });
  }
  return samples.map(median);
}

export async function parseBench() {
  const { parsePrompt } = await import('../src/backends/local/parse/index.ts');
  const { LANGUAGE_DATA } = await import('../src/backends/local/parse/lexicon/index.ts');
  const { compileLanguage } = await import('../src/backends/local/parse/lexicon/compile.ts');
  // What start-up pays for the lexicons: compiling the seven data files into their lookup tables.
  const t0 = performance.now();
  for (const data of LANGUAGE_DATA) compileLanguage(data);
  const loadMs = performance.now() - t0;
  const byLang = new Map<string, string[]>();
  for (const name of TABLES) {
    const { cases } = (await import(`../test/prompt-table/${name}.ts`)) as { cases: Case[] };
    const lang = name === 'fresh' ? 'mixed' : name.replace('holdout-', '');
    byLang.set(lang, [...(byLang.get(lang) ?? []), ...cases.map(([p]) => p)]);
  }
  const all = [...byLang.values()].flat();
  const segmenters = new Map<string, Intl.Segmenter>();
  const segment = (p: string) => {
    const lang = /[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(p) ? 'ja' : /\p{Script=Han}/u.test(p) ? 'zh' : 'en';
    if (!segmenters.has(lang)) segmenters.set(lang, new Intl.Segmenter(lang, { granularity: 'word' }));
    let n = 0;
    for (const _ of segmenters.get(lang)!.segment(p.normalize('NFKC').toLowerCase())) n++;
    return n;
  };
  // Warm up every path once (the JIT, the segmenters), as a running server is.
  for (const p of all) { try { parsePrompt(p); } catch { /* refused */ } segment(p); }

  const rows: Array<Array<string | number>> = [];
  const fmt = (us: number) => (us / 1000).toFixed(3);
  for (const [lang, prompts] of [...byLang, ['all', all] as [string, string[]]]) {
    const parse = perPrompt(prompts, (p) => parsePrompt(p));
    const norm = perPrompt(prompts, (p) => p.normalize('NFKC').toLowerCase());
    const seg = perPrompt(prompts, segment);
    rows.push([lang, prompts.length, fmt(median(parse)), fmt(percentile(parse, 99)), fmt(Math.max(...parse)), fmt(median(norm)), fmt(median(seg)),
      (median(parse) / median(seg)).toFixed(1)]);
  }
  const summary = table(['prompts', 'n', 'parse median (ms)', 'parse p99 (ms)', 'parse max (ms)', 'NFKC alone (ms)', 'Intl.Segmenter (ms)', 'parse ÷ segmenter'],
    rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']);
  process.stdout.write(`${summary}\ncompiling the seven lexicons: ${loadMs.toFixed(0)} ms\n`);
  await writeSection('parse', `## Reading a prompt

Command: \`npm run bench -- parse\` (run on ${today()}; ${machine()}).
\`parsePrompt\` on every prompt of the prompt tables (accepted and refused), each timed ${ROUNDS} times in
turns after a warm-up; the floors are the same prompts through Unicode normalisation alone and through
\`Intl.Segmenter\` word segmentation. Target: a median under 1 ms. Compiling the seven lexicons into their
lookup tables takes ${loadMs.toFixed(0)} ms, once per process, on its first prompt (not at start-up).

${summary}`);
}
