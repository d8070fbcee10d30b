import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import sharp from 'sharp';

const DOC = 'docs/performance.md';

/** The machine a figure was measured on, for the heading of each section. */
export const machine = () =>
  `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips})`;

/**
 * Replaces one generated section of docs/performance.md (between `<!-- name:start -->` and
 * `<!-- name:end -->`), so each benchmark rewrites its own figures and the commentary around them stays.
 */
export async function writeSection(name: string, markdown: string): Promise<void> {
  const doc = await readFile(DOC, 'utf8').catch(() => '# Performance\n');
  const block = `<!-- ${name}:start -->\n${markdown.trim()}\n<!-- ${name}:end -->`;
  const pattern = new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`);
  await writeFile(DOC, pattern.test(doc) ? doc.replace(pattern, block) : `${doc.trimEnd()}\n\n${block}\n`);
}

/** A markdown table from a header row and rows. */
export function table(header: string[], rows: Array<Array<string | number>>, align: Array<'l' | 'r'> = []): string {
  const rule = header.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [header, rule, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export const today = () => new Date().toISOString().slice(0, 10);
