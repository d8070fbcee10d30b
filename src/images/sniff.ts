export type InputFormat = 'png' | 'jpeg' | 'webp';

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, from: number, to: number) => Buffer.from(b.subarray(from, to)).toString('latin1');

/** Bytes needed to tell every format below apart. */
export const SNIFF_BYTES = 16;

/** The image format from magic bytes; the part's Content-Type and filename are never trusted. */
export function sniffFormat(head: Uint8Array): InputFormat | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  return null;
}

/** A human name for what a rejected file looks like, so the error can say more than "invalid". */
export function describeUnsupported(head: Uint8Array): string {
  if (head.length === 0) return 'the file is empty';
  if (ascii(head, 0, 4) === 'GIF8') return 'GIF is not supported';
  if (ascii(head, 0, 2) === 'BM') return 'BMP is not supported';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF is not supported';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'the file is a ZIP archive, not an image';
  if (ascii(head, 4, 12).startsWith('ftyp')) return 'HEIC/AVIF is not supported';
  if (ascii(head, 0, 5) === '%PDF-') return 'the file is a PDF document, not an image';
  const text = ascii(head, 0, head.length).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  if (text.startsWith('<svg') || text.startsWith('<?xml')) return 'SVG/XML is not supported';
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'the file is an HTML page, not an image';
  // Other markup in 16 bytes is most often an SVG behind a doctype or a comment ("<!DOCTYPE svg", "<!-- Generator").
  if (text.startsWith('<!doctype svg') || text.startsWith('<!--')) return 'SVG/XML is not supported';
  // PNG, JPEG and WEBP signatures as base64 (a b64_json pasted into a file): the bytes were wanted.
  if (/^(ivborw0kggo|\/9j\/|uklgr)/.test(text)) return 'the file is a base64-encoded image; send the decoded bytes (or a data: URL in a JSON body)';
  // Only printable bytes (and whitespace): a text file, a JSON body, a base64 string sent as a file.
  if (/^[\t\n\r\x20-\x7e]+$/.test(ascii(head, 0, head.length))) return 'the file is text, not an image';
  return 'the file is not a PNG, JPEG or WEBP image';
}

export const MIME: Record<InputFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };
