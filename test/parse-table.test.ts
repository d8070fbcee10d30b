import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrompt } from '../src/backends/local/parse/index.ts';
import { RetouchError } from '../src/errors.ts';
import { cases as de } from './prompt-table/de.ts';
import { cases as en } from './prompt-table/en.ts';
import { cases as es } from './prompt-table/es.ts';
import { cases as fr } from './prompt-table/fr.ts';
import { cases as ja } from './prompt-table/ja.ts';
import { cases as pt } from './prompt-table/pt.ts';
import { cases as zh } from './prompt-table/zh.ts';
import { cases as fresh } from './prompt-table/fresh.ts';
import { cases as holdoutDe } from './prompt-table/holdout-de.ts';
import { cases as holdoutEn } from './prompt-table/holdout-en.ts';
import { cases as holdoutEs } from './prompt-table/holdout-es.ts';
import { cases as holdoutFr } from './prompt-table/holdout-fr.ts';
import { cases as holdoutJa } from './prompt-table/holdout-ja.ts';
import { cases as holdoutPt } from './prompt-table/holdout-pt.ts';
import { cases as holdoutZh } from './prompt-table/holdout-zh.ts';
import { cases as unseen2 } from './prompt-table/unseen-2.ts';
import { matches, show } from './prompt-table/signature.ts';
import type { PromptCase } from './prompt-table/types.ts';

/**
 * The prompt table: how people write edits, in seven languages, each mapped to the plan it must
 * give or to a refusal. A recolour the plan can only do inside a client's mask counts as a refusal
 * here (the engine refuses it when no mask is sent).
 */
/**
 * The first seven were written before the parser and tuned against; the holdout set was written
 * later by someone who had seen neither, and first passed at 77 % (352 of 454) before its misses
 * were fixed in the lexicon and grammar. The fresh set came after that, again unseen: 174 of 190
 * (92 %) passed on first run; of the 16 misses, 15 were refusals and one a wrong plan (a polite
 * Japanese ending read as a problem description), all fixed since. The unseen-2 set (425 prompts, in
 * two parts written from the README alone) first passed 265 of 282 (94 %; 3 wrong plans, 14 wrong
 * refusals) and, for the harder second part, 112 of 143 (78 %; 3 wrong plans, 28 wrong refusals);
 * see unseen-2.ts for each language. A later blind evaluation (220 unseen prompts, 96.7 % first run)
 * found 1 wrong plan, 1 minor wrong colour and 4 wrong refusals; each is pinned with variants at the
 * end of unseen-2.ts. So are the misses of a blind end-to-end evaluation after that (two wrong images,
 * wrong refusals of crop verbs and keeps, a language misnamed), under "blind e2e misses".
 */
const TABLES: Record<string, PromptCase[]> = {
  en, zh, ja, es, de, fr, pt,
  'holdout en': holdoutEn, 'holdout zh': holdoutZh, 'holdout ja': holdoutJa, 'holdout es': holdoutEs, 'holdout de': holdoutDe,
  'holdout fr': holdoutFr, 'holdout pt': holdoutPt, fresh, 'unseen 2': unseen2,
};

for (const [lang, cases] of Object.entries(TABLES)) {
  describe(`prompt table: ${lang} (${cases.length} prompts)`, () => {
    for (const [prompt, expected] of cases) {
      it(`${JSON.stringify(prompt)} → ${expected === 'refuse' ? 'refused' : expected.join(', ')}`, () => {
        let plan;
        try {
          plan = parsePrompt(prompt);
        } catch (err) {
          if (!(err instanceof RetouchError)) throw err;
          assert.equal(err.code, 'unsupported_edit');
          assert.equal(expected, 'refuse', `refused: ${err.message}`);
          return;
        }
        const needsMask = plan.ops.some((op) => op.op === 'recolor' && op.scope === 'mask');
        if (expected === 'refuse') {
          assert.ok(needsMask, `expected a refusal, got [${plan.ops.map(show).join(', ')}]`);
          return;
        }
        assert.ok(!needsMask, `needs a mask: [${plan.ops.map(show).join(', ')}]`);
        const why = matches(plan, expected);
        assert.equal(why, null, why ?? '');
      });
    }
  });
}
