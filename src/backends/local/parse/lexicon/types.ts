/**
 * The concepts the local engine's grammar works with. Every language maps its own words onto these;
 * the grammar (parse/frames) only ever sees concepts, never words, so adding a language is adding a
 * data file.
 */
export const CONCEPTS = [
  // Operations named directly.
  'grayscale', 'sepia', 'invert', 'blur', 'blurry', 'sharpen', 'denoise', 'noise', 'pixelate', 'vignette',
  'rotate', 'flip', 'mirror', 'resize', 'bigger', 'smaller', 'crop', 'trim', 'border', 'pad', 'canvas',
  'text', 'watermark', 'hue', 'tint',
  // Tone words with a direction, and the nouns that need one ("more contrast").
  'bright', 'dark', 'brightness', 'contrast', 'contrast-up', 'contrast-down', 'saturation', 'vivid', 'muted',
  // 'temperature' is the colour-temperature noun: lowering it cools, it is not less colour.
  'warm', 'cool', 'color', 'temperature',
  // Verbs that only frame an edit ("make it…", "replace … with …").
  'change', 'replace', 'remove', 'add', 'keep', 'only', 'except', 'isolate', 'extend',
  // Modifiers.
  'more', 'less', 'slightly', 'very', 'too', 'copula', 'not',
  // "Without", "sans", "ohne": read as "remove" before a thing ("without the background"), and as "not"
  // before an action ("without cropping": a negation, see parse/negation.ts).
  'without',
  // Words that by themselves say what is wrong ("washed out", "yellowish", "grainy", "发灰", "くすんだ"): a
  // clause with one and no verb describes a problem ("washed out colours" asks for more colour), while
  // with a verb it is the look asked for ("make it look washed out").
  'complaint',
  // The plain adjective of a look ("dark", "escuro", "sombre", "dunkel"), not its comparative ("darker",
  // "plus sombre") or its verb ("darken"): with only an intensifier and no verb ("very dark", "muito
  // escuro") it describes the photo, as "too dark" does.
  'state',
  // "I can't see anything", "看不清", "no se ve nada": what a dark or blurry photo does, said as a reason.
  // It asks for nothing by itself, but the bare description beside it ("muy oscura", "暗くて") is the
  // problem, not the look asked for.
  'obscured',
  // Geometry words.
  'clockwise', 'counterclockwise', 'horizontal', 'vertical', 'upside-down', 'quarter-turn', 'half-turn',
  'degree', 'pixel', 'percent', 'times', 'half', 'double', 'size', 'width', 'height', 'aspect',
  'square', 'portrait', 'landscape', 'widescreen', 'story', 'thick', 'thin', 'opacity', 'large', 'small',
  // Positions.
  'top', 'bottom', 'left', 'right', 'center', 'corner', 'edges',
  // What an edit applies to.
  'background', 'subject', 'image', 'everything', 'scene', 'part', 'object', 'first', 'second', 'same',
  // Background styles.
  'studio', 'plain', 'setting', 'shadow', 'transparent',
  // Prepositions the grammar reads, and the purpose markers ("for my shop", "as a profile picture").
  'to', 'from', 'with', 'of', 'on', 'by', 'for', 'as',
  // Clause separators, and a word that after a quote only marks it as what is written (「SALE」と…).
  'and', 'then', 'but', 'quotative',
  // File formats ("jpeg", "png"): how the result is saved, which the request's output_format sets; no edit.
  'file-format',
  // Words for edits that need a generative model (colourise, restore, cartoon style…): known, so that
  // they are never read as a typo of something else, and always refused.
  'generative',
  // Words that tell a story around the edit ("I", "my client", "we"), and purpose markers ("so that").
  'narrative', 'purpose',
] as const;

export type Concept = (typeof CONCEPTS)[number];

/** One language's words. Everything that varies by language lives in one of these. */
export interface LanguageData {
  /** BCP 47 code, reported in revised_prompt ("zh", "ja", "es"…). */
  code: string;
  /** The language's English name, for messages. */
  name: string;
  /** Surface forms of each concept. Multi-word forms are matched as phrases, longest first. */
  concepts: Partial<Record<Concept, readonly string[]>>;
  /**
   * Named things the engine can tell apart from a subject only with a mask (hair, a shirt, a
   * spacesuit), things that are the whole subject of a photo (a cup, a car), parts of a scene the
   * subject mask cannot find (sky, grass, a wall), and people and animals (whose "main colour" is
   * skin or fur, never what a recolour means). Each word maps to its English name.
   */
  things: { part: Record<string, string>; object: Record<string, string>; scene: Record<string, string>; being: Record<string, string> };
  /** Colour words → a CSS colour name or #hex. */
  colors: Record<string, string>;
  /** Modifiers that lighten or darken a colour ("light blue", "azul claro", "hellblau"). */
  colorModifiers: { light: readonly string[]; dark: readonly string[] };
  /** Endings an adjective may carry ("rote", "roja", "bleue"), tried when a colour word is not found. */
  inflections?: readonly string[];
  /** Number words → value; a value of 100 multiplies what precedes it ("two hundred"). */
  numbers: Record<string, number>;
  /** Words that join number words ("a hundred and eighty", "cento e oitenta"). */
  numberJoiners?: readonly string[];
  /** Words and phrases that carry no instruction: articles, pronouns, politeness, chat and purpose phrasing. */
  filler: readonly string[];
  /**
   * Common words of the language that lie one typo away from a lexicon word of another meaning
   * ("busy" is not "bus", "read" is not "red", "weisst" is not "weiss"). The typo corrector cannot
   * tell a misspelling from a real word it does not know, so these are known to be words and never
   * corrected; the lexicon gives them no meaning, so a clause that needs one is refused. Taken from
   * the 3,000 most frequent words of the language (subtitle and web frequency lists) that the
   * corrector turned into a lexicon word, less inflections of that word ("rooms", "dreht"), which it
   * reads rightly; add to it when a real word is read as another.
   */
  commonWords?: readonly string[];
  /** A short example per family of edits, offered as "did you mean …" in this language. */
  examples: Partial<Record<ExampleKey, string>>;
  /** "Did you mean", in this language. */
  didYouMean: string;
}

export type ExampleKey =
  | 'grayscale' | 'sepia' | 'invert' | 'brightness' | 'contrast' | 'saturation' | 'temperature' | 'hue' | 'tint'
  | 'rotate' | 'flip' | 'resize' | 'crop' | 'trim' | 'border' | 'pad'
  | 'blur' | 'sharpen' | 'denoise' | 'pixelate' | 'vignette'
  | 'background-remove' | 'background-color' | 'background-blur' | 'background-grayscale' | 'background-image'
  | 'recolor' | 'text' | 'watermark' | 'splash';
