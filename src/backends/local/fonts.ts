import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create, type Font } from 'fontkitten';

/**
 * The fonts text is drawn with, shipped in npm packages rather than found on the host: Noto Sans
 * Bold (Latin, Greek, Cyrillic; a required dependency), then Noto Sans Hans Bold (Chinese, simplified
 * and traditional, and Japanese kana; an optional dependency, 36 MB).
 *
 * Why: text is SVG drawn by librsvg, which finds fonts through fontconfig. With the host's fonts,
 * a host without CJK fonts (most servers and containers) drew "新品" as boxes of hex digits, and
 * a host with no fonts at all drew nothing readable. Only bundled fonts are offered to fontconfig,
 * so the characters the engine can draw are exactly those these files have (checked before
 * drawing, see missingGlyphs), and the same prompt gives the same pixels on every machine.
 */
const SOURCES: ReadonlyArray<{ pkg: string; dir: (entry: string) => string; file: string }> = [
  // No "exports" field: its package.json resolves, and the weights sit in folders beside it.
  { pkg: '@expo-google-fonts/noto-sans/package.json', dir: (entry) => join(dirname(entry), '700Bold'), file: 'NotoSans_700Bold.ttf' },
  // Its "exports" allow only the entry point (dist/index.cjs); the fonts sit in fonts/ beside dist/.
  { pkg: '@embedpdf/fonts-sc', dir: (entry) => join(dirname(entry), '..', 'fonts'), file: 'NotoSansHans-Bold.otf' },
];

/** One bundled font: where it is, and its family name as fontconfig knows it. */
interface TextFont {
  dir: string;
  path: string;
  family: string;
  font: Font;
}

let installed: Array<{ dir: string; path: string }> | undefined;
let fonts: TextFont[] | undefined;
/** undefined until useBundledFonts runs; false when fontconfig could not be pointed at the bundled fonts. */
let configured: boolean | undefined;

/** Where the installed bundled fonts are (a package lookup each, no file read). */
function installedFonts(): ReadonlyArray<{ dir: string; path: string }> {
  if (installed) return installed;
  const require = createRequire(import.meta.url);
  installed = [];
  for (const source of SOURCES) {
    try {
      const dir = source.dir(require.resolve(source.pkg));
      installed.push({ dir, path: join(dir, source.file) });
    } catch {
      // an optional font package that is not installed: its characters are refused
    }
  }
  return installed;
}

/**
 * The bundled fonts that are installed, in the order text falls back through them, read on the
 * first text (the CJK font is 8 MB: ~90 ms and ~15 MiB that an engine never drawing text need not pay).
 */
export function textFonts(): readonly TextFont[] {
  if (fonts) return fonts;
  fonts = [];
  for (const { dir, path } of installedFonts()) {
    let font: Font;
    try {
      const parsed = create(readFileSync(path));
      if (!('hasGlyphForCodePoint' in parsed)) continue;
      font = parsed;
    } catch {
      continue;
    }
    fonts.push({ dir, path, family: font.familyName, font });
  }
  return fonts;
}

/** The SVG font-family list for the bundled fonts. */
export const fontFamilies = () => textFonts().map((f) => f.family);

/**
 * Points fontconfig at the bundled fonts only, through a generated fonts.conf (with a cache beside
 * it, under the system temp directory). fontconfig reads FONTCONFIG_FILE once, when the process
 * first lays out text: this runs when the local engine is built, before any text is drawn, and
 * again (doing nothing) before each text step. Process-wide by nature, so it runs once.
 */
export function useBundledFonts(): void {
  if (configured !== undefined) return;
  configured = false;
  const home = join(tmpdir(), 'retouch-fontconfig');
  const xml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const dirs = [...new Set(installedFonts().map((f) => f.dir))];
  const conf = `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!-- Written by Retouch: the fonts its local engine draws text with (src/backends/local/fonts.ts). -->
<fontconfig>
${dirs.map((d) => `  <dir>${xml(d)}</dir>`).join('\n')}
  <cachedir>${xml(join(home, 'cache'))}</cachedir>
</fontconfig>
`;
  try {
    mkdirSync(join(home, 'cache'), { recursive: true });
    // Named by its content and written whole (rename), so processes of other installs, starting at
    // the same moment, never read each other's font folders or a half-written file.
    const file = join(home, `fonts-${createHash('sha256').update(conf).digest('hex').slice(0, 16)}.conf`);
    if (!existsSync(file)) {
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, conf);
      renameSync(partial, file);
    }
    process.env.FONTCONFIG_FILE = file;
    configured = true;
  } catch {
    // No writable temp directory: fontconfig would offer the host's fonts, whose characters are
    // unknown, so every text is refused (see missingGlyphs) rather than risk boxes.
  }
}

/** The distinct characters of `text` that no bundled font has a glyph for (white space aside), in order. */
export function missingGlyphs(text: string): string[] {
  useBundledFonts();
  const available = configured ? textFonts() : [];
  const missing: string[] = [];
  for (const ch of text) {
    if (/\s/u.test(ch) || missing.includes(ch)) continue;
    const cp = ch.codePointAt(0)!;
    if (!available.some((f) => f.font.hasGlyphForCodePoint(cp))) missing.push(ch);
  }
  return missing;
}

/** What the bundled fonts draw, for refusals: Latin always, CJK when its package is installed. */
export function describeCoverage(): string {
  if (!configured) return 'nothing: its fonts could not be set up (the system temp directory is not writable)';
  const cjk = textFonts().some((f) => f.font.hasGlyphForCodePoint(0x65b0));
  return cjk
    ? 'Latin, Greek and Cyrillic letters, Chinese characters and Japanese kana'
    : 'Latin, Greek and Cyrillic letters (Chinese and Japanese need the optional package @embedpdf/fonts-sc, which npm ci installs)';
}
