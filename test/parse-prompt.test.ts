import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrompt, READS } from '../src/backends/local/parse/index.ts';
import { describePlan, type EditOp } from '../src/backends/local/plan.ts';
import { RetouchError } from '../src/errors.ts';
import { cases as de } from './prompt-table/de.ts';
import { cases as en } from './prompt-table/en.ts';
import { cases as es } from './prompt-table/es.ts';
import { cases as fr } from './prompt-table/fr.ts';
import { cases as fresh } from './prompt-table/fresh.ts';
import { cases as holdoutDe } from './prompt-table/holdout-de.ts';
import { cases as holdoutEn } from './prompt-table/holdout-en.ts';
import { cases as holdoutEs } from './prompt-table/holdout-es.ts';
import { cases as holdoutFr } from './prompt-table/holdout-fr.ts';
import { cases as holdoutJa } from './prompt-table/holdout-ja.ts';
import { cases as holdoutPt } from './prompt-table/holdout-pt.ts';
import { cases as holdoutZh } from './prompt-table/holdout-zh.ts';
import { cases as ja } from './prompt-table/ja.ts';
import { cases as pt } from './prompt-table/pt.ts';
import { cases as unseen2 } from './prompt-table/unseen-2.ts';
import { cases as zh } from './prompt-table/zh.ts';

const TABLE_PROMPTS = [en, zh, ja, es, de, fr, pt, holdoutEn, holdoutZh, holdoutJa, holdoutEs, holdoutDe, holdoutFr, holdoutPt, fresh, unseen2]
  .flatMap((cases) => cases.map(([prompt]) => prompt));

const G: EditOp = { op: 'grayscale' };
const R = (degrees: number): EditOp => ({ op: 'rotate', degrees });
const H: EditOp = { op: 'flip', axis: 'horizontal' };
const V: EditOp = { op: 'flip', axis: 'vertical' };
const S = (scale: number): EditOp => ({ op: 'resize', scale });
const WH = (width?: number, height?: number): EditOp => ({ op: 'resize', ...(width ? { width } : {}), ...(height ? { height } : {}) });

const understood: Array<[string, EditOp[]]> = [
  ['make it black and white', [G]],
  ['Make it Black & White.', [G]],
  ['convert to grayscale', [G]],
  ['greyscale please', [G]],
  ['turn this photo into a black-and-white picture', [G]],
  ['make the image monochrome', [G]],
  ['desaturate it', [G]],
  ['remove all the colors', [G]],
  ['Could you please make this photo B&W?', [G]],
  ['I want it in black and white', [G]],
  ['make it look like an old black and white photo', [G]],
  ['rotate 90 degrees', [R(90)]],
  ['rotate it ninety degrees clockwise', [R(90)]],
  ['rotate 90° counterclockwise', [R(270)]],
  ['rotate the image 45 degrees to the left', [R(315)]],
  ['rotate by 180', [R(180)]],
  ['turn it upside down', [R(180)]],
  ['rotate it a quarter turn', [R(90)]],
  ['rotate left', [R(270)]],
  ['rotate right', [R(90)]],
  ['rotate it two hundred seventy degrees', [R(270)]],
  ['rotate 12.5 degrees', [R(12.5)]],
  ['flip horizontally', [H]],
  ['flip it', [H]],
  ['mirror the image', [H]],
  ['mirror it left to right', [H]],
  ['flip vertically', [V]],
  ['flip it upside down', [V]],
  ['flip the photo top to bottom', [V]],
  ['resize to 800x600', [WH(800, 600)]],
  ['resize it to 1024 x 768 pixels', [WH(1024, 768)]],
  ['scale to 50%', [S(0.5)]],
  ['scale it down by 50%', [S(0.5)]],
  ['enlarge by 25%', [S(1.25)]],
  ['upscale 2x', [S(2)]],
  ['upscale it two times', [S(2)]],
  ['downscale 4x', [S(0.25)]],
  ['make it half the size', [S(0.5)]],
  ['double the size', [S(2)]],
  ['make it 1024 pixels wide', [WH(1024)]],
  ['resize to a width of 640', [WH(640)]],
  ['make it 300px tall', [WH(undefined, 300)]],
  ['make it black and white and rotate it 180 degrees', [G, R(180)]],
  ['rotate 90 degrees, then flip horizontally, then make it grayscale', [R(90), H, G]],
  ['flip it vertically; scale to 25%', [V, S(0.25)]],
  ['make it black and white. Keep everything else identical.', [G]],
  ['grayscale, but keep the composition as is', [G]],
  ['please mirror the photo and leave everything else unchanged', [H]],
];

const refused: Array<[string, RegExp]> = [
  ['add a hat', /add a hat/],
  ['remove the person in the background', /person/],
  ['make the car black and white', /car/],
  ['rotate it', /rotate it/],
  ['make it black and white and add a cowboy hat', /cowboy hat/],
  ['keep everything as is', /no change/],
  ['remove the person', /remove the person/],
  ['make it look professional', /professional/],
];

describe('parsePrompt understands', () => {
  for (const [prompt, ops] of understood) {
    it(JSON.stringify(prompt), () => assert.deepEqual(parsePrompt(prompt).ops, ops));
  }
  it('keeps "keep" clauses as kept, changing nothing', () => {
    const plan = parsePrompt('grayscale and keep everything else the same');
    assert.deepEqual(plan.ops, [G]);
    assert.deepEqual(plan.kept, []);
    assert.deepEqual(parsePrompt('white background, keep the product').kept, ['the subject']);
  });
  it('reads "resize it" with no size as a resize to the request\'s size', () => {
    assert.deepEqual(parsePrompt('resize it').ops, [{ op: 'resize', requested: true }]);
  });
  it('a problem and an instruction for the same edit: the instruction\'s amount, not the problem\'s correction', () => {
    assert.deepEqual(parsePrompt("it's too dark, brighten it by 30%").ops, [{ op: 'brightness', factor: 1.3 }]);
    assert.equal((parsePrompt('la foto está muy oscura, ¿puedes arreglarla?').ops[0] as { auto?: boolean }).auto, true);
  });
});

describe('parsePrompt refuses, naming the clause', () => {
  for (const [prompt, names] of refused) {
    it(JSON.stringify(prompt), () => {
      assert.throws(() => parsePrompt(prompt), (err: unknown) => err instanceof RetouchError && err.code === 'unsupported_edit' && names.test(err.message));
    });
  }
});

/**
 * Parameters the prompt tables do not compare (a text's position, a border's width, a colour's
 * lightness), for the misses of the blind evaluation (see unseen-2.ts).
 */
describe('blind evaluation misses: parameters', () => {
  const red: [number, number, number] = [255, 0, 0];
  for (const prompt of ['在右下角加上文字「限时特价」，红色', '在右下角加上红色文字「限时特价」']) {
    it(`${JSON.stringify(prompt)}: the text in red at the bottom right`, () => {
      assert.deepEqual(parsePrompt(prompt).ops, [{ op: 'text', text: '限时特价', position: 'bottom-right', color: red }]);
    });
  }
  it('"，大一点" after the text is the text\'s size, not a bigger image', () => {
    assert.deepEqual(parsePrompt('在右下角加上文字「限时特价」，红色，大一点').ops, [{ op: 'text', text: '限时特价', position: 'bottom-right', color: red, size: 'large' }]);
  });
  for (const prompt of ['add a 15px wide white border', 'einen 15px breiten weißen Rand hinzufügen', 'une bordure blanche de 15 px de large',
    'añade un borde blanco de 15 px de ancho', 'adicione uma borda branca de 15 px de largura', '加一个15像素宽的白色边框']) {
    it(`${JSON.stringify(prompt)}: a 15 px white border`, () => {
      assert.deepEqual(parsePrompt(prompt).ops, [{ op: 'border', thickness: 15, color: [255, 255, 255] }]);
    });
  }
  // Light and dark colours: the CSS colour of that name when it is lighter or darker, else a 45% mix.
  for (const [prompt, color] of [
    ['make the background light blue', [0xad, 0xd8, 0xe6]], ['Hintergrund hellblau', [0xad, 0xd8, 0xe6]], ['背景换成浅蓝色', [0xad, 0xd8, 0xe6]],
    ['fundo azul claro', [0xad, 0xd8, 0xe6]], ['背景を水色にして', [0xad, 0xd8, 0xe6]], ['make the background pale blue', [0xad, 0xd8, 0xe6]],
    ['make the background dark blue', [0x00, 0x00, 0x8b]], ['背景换成深蓝色', [0x00, 0x00, 0x8b]], ['fond vert foncé', [0x00, 0x64, 0x00]],
    ['make the background light green', [0x90, 0xee, 0x90]], ['make the background light grey', [0xd3, 0xd3, 0xd3]],
    // CSS "darkgray" (#a9a9a9) is lighter than gray: dark grey is gray mixed towards black.
    ['make the background dark grey', [0x46, 0x46, 0x46]], ['fondo gris oscuro', [0x46, 0x46, 0x46]],
    // No CSS "lightred": red mixed towards white.
    ['make the background light red', [0xff, 0x73, 0x73]],
  ] as Array<[string, [number, number, number]]>) {
    it(`${JSON.stringify(prompt)}: #${color.map((v) => v.toString(16).padStart(2, '0')).join('')}`, () => {
      assert.deepEqual(parsePrompt(prompt).ops, [{ op: 'background', action: 'color', color }]);
    });
  }
  it('"髪を赤くして" is the recolour "make her hair red" is: inside the client\'s mask', () => {
    const want = [{ op: 'recolor', from: null, to: [255, 0, 0], object: 'hair', scope: 'mask' }];
    assert.deepEqual(parsePrompt('髪を赤くして').ops, want);
    assert.deepEqual(parsePrompt('make her hair red').ops, want);
  });
  it('"colorize this old family photo" is refused for "colorize", which needs a generative model', () => {
    assert.throws(() => parsePrompt('colorize this old family photo'), (err: unknown) =>
      err instanceof RetouchError && err.code === 'unsupported_edit' && /cannot use "colorize"/.test(err.message) && /"colorize" needs a generative model/.test(err.message) &&
      !/sepia/.test(err.message.split('It can do')[0]!));
  });
});

/**
 * QA run misses (see the end of unseen-2.ts): a prompt in a language the engine does not read is
 * refused saying which languages it reads; no refused prompt of the tables in the seven it reads is.
 */
describe('QA run misses: the language refusal', () => {
  const other = ['배경을 흰색으로 바꿔주세요', '사진을 90도 회전해 주세요', '흑백으로 만들어줘', 'rimuovi lo sfondo', 'ruota la foto di 90 gradi',
    'rendi la foto in bianco e nero', 'metti lo sfondo bianco', 'удали фон', 'поверни на 90 градусов', 'сделай фото черно-белым', 'ruota 90 gradi',
    "rendi l'immagine in bianco e nero", 'sfoca lo sfondo', 'maak de achtergrond wit', '흑백으로 만들어 주세요', 'اجعلها بالأبيض والأسود'];
  const refusal = (prompt: string) => {
    try { parsePrompt(prompt); } catch (err) { if (err instanceof RetouchError) return err.message; throw err; }
    return null;
  };
  for (const prompt of other) {
    it(`${JSON.stringify(prompt)} is refused naming the languages the engine reads`, () => {
      assert.equal(refusal(prompt), READS);
      assert.match(READS, /English, Chinese, Japanese, Spanish, German, French and Portuguese/);
    });
  }
  it('no refused prompt of the tables in the seven languages gets it', () => {
    const wrong = TABLE_PROMPTS.filter((p) => !other.includes(p) && refusal(p) === READS);
    assert.deepEqual(wrong, []);
  });
});

/** QA run misses: a prompt of Han characters only is not claimed as Chinese when its words are Japanese. */
describe('QA run misses: the language of Han-only prompts', () => {
  for (const [prompt, name] of [
    ['上下反転', 'Japanese'], ['左右反転', 'Japanese'], ['180度回転', 'Japanese'], ['上下反転して', 'Japanese'],
    ['上下翻转', 'Chinese'], ['把背景换成白色', 'Chinese'], ['黑白', 'Chinese'], ['背景白色', 'Chinese or Japanese'],
  ]) {
    it(`${JSON.stringify(prompt)}: understood from ${name}`, () => {
      assert.match(describePlan(parsePrompt(prompt!)), new RegExp(`\\(understood from ${name}\\)$`));
    });
  }
});

/** Blind end-to-end evaluation misses (see "blind e2e misses" at the end of unseen-2.ts). */
describe('blind e2e misses', () => {
  // A prompt whose words are as much Spanish as Portuguese names no language rather than perhaps the
  // wrong one ("recorta para 16:9", written in Portuguese, was said to be understood from Spanish);
  // words of one language's own decide it.
  for (const [prompt, name] of [['recorta para 16:9', null], ['redimensiona para 800x600', null], ['monocromático', null],
    ['recorta a foto em 16:9', 'Portuguese'], ['deixe a foto em preto e branco', 'Portuguese'], ['recorta la imagen en 16:9', 'Spanish'], ['mais contraste', 'Portuguese']]) {
    it(`${JSON.stringify(prompt)}: ${name ? `understood from ${name}` : 'no language named'}`, () => {
      const said = describePlan(parsePrompt(prompt!));
      if (name) assert.match(said, new RegExp(`\\(understood from ${name}\\)$`));
      else assert.doesNotMatch(said, /understood from/);
    });
  }
  // Possessives are filler: "a camisa dele" is the shirt, recoloured inside the client's mask like "his shirt".
  for (const prompt of ['mude a cor da camisa dele para azul', 'make his shirt blue', 'mach sein Hemd blau', 'cambia el color de su camisa a azul', 'rends sa chemise bleue']) {
    it(`${JSON.stringify(prompt)}: the shirt, inside the client's mask`, () => {
      assert.deepEqual(parsePrompt(prompt).ops, [{ op: 'recolor', from: null, to: [0, 0, 255], object: 'shirt', scope: 'mask' }]);
    });
  }
});

/** Blind e2e misses: "did you mean" only with an edit that shares something with the prompt. */
describe('blind e2e misses: suggestions', () => {
  const message = (prompt: string) => {
    try { parsePrompt(prompt); } catch (err) { if (err instanceof RetouchError) return err.message; throw err; }
    assert.fail(`${prompt} was not refused`);
  };
  // A starry sky was answered with "mach die rote Tasse grün?": "replace" alone is no recolour.
  // Round 3: a hair recolour was answered with "赤いカップを緑にして?" (a part is no whole object to
  // recolour), a bleach with it for the word "色" alone, and "the mug is too yellow" with "make it warmer".
  for (const prompt of ['ersetze den Himmel durch einen Sternenhimmel', 'mach den Himmel zu einem Sternenhimmel', 'swap the cat for a rabbit', 'replace the sky with a starry night sky',
    'Haare blond färben', '髪を金髪にして', 'ちょっと脱色して', 'the mug is too yellow']) {
    it(`${JSON.stringify(prompt)}: no suggestion`, () => {
      assert.doesNotMatch(message(prompt), /meinten Sie|did you mean|もしかして/i);
    });
  }
  for (const [prompt, suggestion] of [['the sky is too dark', 'make it brighter'], ['der Himmel ist zu dunkel', 'mach es heller'],
    ['the sky is too blue', 'make it warmer'], ['change the colour of the cup to blurple', 'make the red cup green'],
    ['remove the person in the background', 'remove the background']]) {
    it(`${JSON.stringify(prompt)}: suggests ${JSON.stringify(suggestion)}`, () => {
      assert.match(message(prompt!), new RegExp(`: ${suggestion}\\?`));
    });
  }
});

/** Blind e2e round 3: a refusal names the words that could not be used. */
describe('blind e2e round 3: what a refusal names', () => {
  const message = (prompt: string) => {
    try { parsePrompt(prompt); } catch (err) { if (err instanceof RetouchError) return err.message; throw err; }
    assert.fail(`${prompt} was not refused`);
  };
  for (const [prompt, word, not] of [['转黑白，再加上一只猫', '猫', '转'], ['把背景换成海滩', '海滩', '背景'], ['ersetze den Hintergrund durch einen Strand', 'strand', 'durch'],
    ['mude o fundo para uma praia', 'praia', 'o fundo'], ['cambia el fondo a una playa', 'playa', 'el fondo'], ['swap the cat for a rabbit', 'rabbit', 'swap']]) {
    it(`${JSON.stringify(prompt)}: names "${word}", not "${not}"`, () => {
      const said = message(prompt!).match(/it cannot use ([^.]*)\./)?.[1] ?? '';
      assert.match(said, new RegExp(`"${word}"`));
      assert.doesNotMatch(said, new RegExp(`"${not}"`));
    });
  }
  // A word the lexicon lacks beside a look ("make", "pon") may be anything: no claim that something is added.
  for (const prompt of ['make the background white qwzx', 'pon el fondo blanco qwzx']) {
    it(`${JSON.stringify(prompt)}: names the word, no generative model`, () => {
      assert.match(message(prompt), /cannot use "qwzx"/);
      assert.doesNotMatch(message(prompt), /generative/);
    });
  }
});

/** Outside QA run: misleading refusals and suggestions. */
describe('outside QA run', () => {
  // 3. Quotation marks as keyboards and autocorrect pair them.
  for (const [prompt, text, position] of [['add the text “SALE" top left', 'SALE', 'top-left'], ['Füge den Text „SALE" oben links hinzu', 'SALE', 'top-left'],
    ['add the text "SALE” top left', 'SALE', 'top-left'], ['«SALE" add text', 'SALE', 'bottom'], ['ajoute le texte « SOLDES » en haut', 'SOLDES', 'top'],
    ["add the text ‘Big Sale' at the top", 'Big Sale', 'top'], ['「SALE“を右上に入れて', 'SALE', 'top-right']] as const) {
    it(`${JSON.stringify(prompt)}: the text ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parsePrompt(prompt).ops, [{ op: 'text', text, position }]);
    });
  }
});

/** Outside QA run, 4: typos inside a phrase, and the word a refusal names. */
describe('outside QA run: typos', () => {
  const message = (prompt: string) => {
    try { parsePrompt(prompt); } catch (err) { if (err instanceof RetouchError) return err.message; throw err; }
    assert.fail(`${prompt} was not refused`);
  };
  // "wite" alone is nearest "wide"; in "black and wite" it is "white", one edit away too.
  for (const prompt of ['can u make it blak and wite', 'make it black and wite', 'blak and wite']) {
    it(`${JSON.stringify(prompt)}: black and white, "wite" read as "white"`, () => {
      const plan = parsePrompt(prompt);
      assert.deepEqual(plan.ops, [G]);
      assert.ok(plan.corrections?.some((c) => c.typed === 'wite' && c.read === 'white'));
    });
  }
  // The clause before "and" fails only because the word after it was not read: that word is named.
  for (const [prompt, word, not] of [['make it black and qwzx', 'qwzx', 'black'], ['mach es schwarz und weiz', 'weiz', 'schwarz'],
    ['can u make it blak and wote', 'wote', 'make']]) {
    it(`${JSON.stringify(prompt)}: names "${word}", not "${not}"`, () => {
      const said = message(prompt!).match(/it cannot use ([^.]*)\./)?.[1] ?? '';
      assert.match(said, new RegExp(`"${word}"`));
      assert.doesNotMatch(said, new RegExp(`"${not}"`));
    });
  }
});

/** Outside QA run, 1 and 2: text, fonts and file formats were refused as generative edits; suggestions dropped the place and colour. */
describe('outside QA run: what a refusal of text says', () => {
  const message = (prompt: string) => {
    try { parsePrompt(prompt); } catch (err) { if (err instanceof RetouchError) return err.message; throw err; }
    assert.fail(`${prompt} was not refused`);
  };
  // Unquoted text: the words must be quoted, and the suggestion quotes them, keeping what else was said.
  for (const [prompt, word, suggestion] of [
    ['add the text SALE', 'sale', "add the text 'SALE'"],
    ['add text SALE in red in the center', 'sale', "add text 'SALE' in red in the center"],
    ['add text saying Happy Birthday at the top', 'happy', "add text saying 'Happy Birthday' at the top"],
    ['Füge den Text SALE oben links hinzu', 'sale', "Füge den Text 'SALE' oben links hinzu"],
    ['ajoute le texte SOLDES en haut à droite', 'soldes', "ajoute le texte 'SOLDES' en haut à droite"],
    ['pon el texto REBAJAS arriba a la izquierda en rojo', 'rebajas', "pon el texto 'REBAJAS' arriba a la izquierda en rojo"],
    ['escreva o texto PROMOÇÃO embaixo', 'promocao', "escreva o texto 'PROMOÇÃO' embaixo"],
    ['在右下角加上文字SALE', 'sale', "在右下角加上文字'SALE'"],
  ]) {
    it(`${JSON.stringify(prompt)}: quote the text; suggests ${JSON.stringify(suggestion)}`, () => {
      const said = message(prompt!);
      assert.match(said, new RegExp(`cannot use "${word}"`));
      assert.match(said, /must be in quotes/);
      assert.doesNotMatch(said, /generative/);
      assert.ok(said.includes(`: ${suggestion}?`), said);
    });
  }
  // A font: the text is no generative edit; the suggestion leaves the font out and keeps the place.
  for (const [prompt, suggestion] of [["add the text 'SALE' in comic sans", "add the text 'SALE'"],
    ['add the text “SALE" top left in comic sans', "add the text 'SALE' top left"],
    ["Füge den Text 'SALE' in Comic Sans oben links hinzu", "Füge den Text 'SALE' oben links hinzu"]]) {
    it(`${JSON.stringify(prompt)}: no font, no generative model; suggests ${JSON.stringify(suggestion)}`, () => {
      const said = message(prompt!);
      assert.match(said, /cannot use "comic", "sans"/);
      assert.match(said, /cannot choose a font/);
      assert.doesNotMatch(said, /generative/);
      assert.ok(said.includes(`: ${suggestion}?`), said);
    });
  }
  // A file format is the output_format parameter's.
  for (const prompt of ['convert to jpeg', 'convert to png', 'save it as a png', 'make it black and white and export as jpeg', 'konvertiere es in JPEG', 'JPEGに変換して']) {
    it(`${JSON.stringify(prompt)}: points to output_format`, () => {
      const said = message(prompt);
      assert.match(said, /output_format/);
      assert.doesNotMatch(said, /generative/);
    });
  }
});

/** Outside QA run, 5: a part kept from a recolour of its thing was refused as if the recolour were of the whole image. */
describe('outside QA run: a part kept from a recolour', () => {
  for (const [prompt, thing, part] of [['make the car red but not the windows', 'car', 'windows'], ['make the mug blue but keep the handle', 'mug', 'handle']]) {
    it(`${JSON.stringify(prompt)}: refused saying the recolour is by colour and the ${part} cannot be located`, () => {
      assert.throws(() => parsePrompt(prompt!), (err: unknown) => err instanceof RetouchError && err.code === 'unsupported_edit' &&
        err.message.includes(`recolours the ${thing} by colour`) && err.message.includes(`cannot locate the ${part}`) && !/whole image/.test(err.message));
    });
  }
});

/**
 * Parse2 QA: no clause of the prompt may vanish from the plan. Each clause gives a step, is a no-op
 * the grammar knows (politeness, a purpose, "fix it" after a problem), is the reason for an edit that
 * fixes it, or the prompt is refused naming it.
 */
describe('parse2 QA: every clause is accounted for', () => {
  const describe1 = (p: string) => describePlan(parsePrompt(p));
  it('a complaint beside another edit is done too, in any order and language', () => {
    for (const [prompt, first, second] of [
      ["it's too dark, add the text 'SALE'", /brighten/, /add text "SALE"/],
      ['the photo is too dark, also add a vignette', /brighten/, /vignette/],
      ["add a vignette, it's too dark", /vignette/, /brighten/],
      ["es ist zu dunkel, füge den Text 'SALE' hinzu", /brighten/, /add text "SALE"/],
      ['太暗了，加上文字「SALE」', /brighten/, /add text "SALE"/],
    ] as const) {
      const said = describe1(prompt);
      assert.match(said, first, said);
      assert.match(said, second, said);
      assert.ok(said.search(first) < said.search(second), said);
    }
  });
  it('a complaint and its own fix are done once, with the fix\'s amount', () => {
    assert.deepEqual(parsePrompt("it's too dark, brighten it by 30%").ops, [{ op: 'brightness', factor: 1.3 }]);
  });
  it('a clause of words that also frame ("esfria": cool, or make) is read, not skipped as filler', () => {
    assert.match(describe1("adicione o texto 'PROMO' e esfria um pouco"), /cool/);
  });
  it('a problem of a part no edit is about is refused naming its clause', () => {
    for (const [prompt, clause] of [['add a vignette, the face is too shiny', /the face is too shiny/], ['ajoute un vignettage, le ciel est moche', /le ciel est moche/]] as const) {
      assert.throws(() => parsePrompt(prompt), (err: unknown) => err instanceof RetouchError && err.code === 'unsupported_edit' && clause.test(err.message));
    }
  });
});

/** Parse2 QA, 3: an edit the user says not to make is a constraint, and never the suggestion. */
describe('parse2 QA: negations', () => {
  it('a negation that describes the photo is a complaint, not an edit not to make', () => {
    const ops = (p: string) => parsePrompt(p).ops.map((o) => o.op);
    assert.deepEqual(ops('la foto no es nítida, enfócala'), ['sharpen']);
    assert.deepEqual(ops("the photo isn't sharp, sharpen it"), ['sharpen']);
    assert.deepEqual(ops("the photo doesn't look sharp"), ['sharpen']);
    assert.deepEqual(ops('the image is not bright, make it warmer'), ['brightness', 'temperature']);
    assert.deepEqual(ops('das Bild ist nicht hell, mach es wärmer'), ['brightness', 'temperature']);
    assert.deepEqual(ops("la photo n'est pas lumineuse, rends-la plus chaude"), ['brightness', 'temperature']);
    assert.deepEqual(ops('a foto não está nítida, deixe mais quente'), ['sharpen', 'temperature']);
    assert.deepEqual(ops('照片不亮，调暖一点'), ['brightness', 'temperature']);
  });
  it('a negated edit the plan does not make is kept, with no step', () => {
    assert.deepEqual(parsePrompt("don't crop, add text 'HI'").ops.map((o) => o.op), ['text']);
    assert.deepEqual(parsePrompt("ne recadre pas, ajoute le texte 'HI'").ops.map((o) => o.op), ['text']);
  });
  it('a plan that makes the negated edit is refused saying both', () => {
    assert.throws(() => parsePrompt("crop to square but don't crop"), (err: unknown) => err instanceof RetouchError && err.code === 'unsupported_edit' &&
      /crop to 1:1/.test(err.message) && /don't crop/.test(err.message) && !/did you mean/i.test(err.message));
  });
  it('a refusal never suggests the edit the user negated', () => {
    for (const prompt of ["don't blur the background", 'no desenfoques el fondo', 'ne floute pas l\'arrière-plan', 'Hintergrund nicht weichzeichnen', 'no blur']) {
      assert.throws(() => parsePrompt(prompt), (err: unknown) => err instanceof RetouchError && !/did you mean|quisiste|vouliez|meinten/i.test(err.message));
    }
  });
});
