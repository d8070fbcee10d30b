import { randomBytes } from 'node:crypto';

export type Part =
  | { name: string; value: string }
  | { name: string; file: Buffer; filename?: string; contentType?: string };

/**
 * Serialises a form the way Node's fetch does (undici's FormData), so tests send what Node clients
 * send: files as application/octet-stream when they have no type.
 */
export async function nodeForm(parts: Part[]): Promise<{ body: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const p of parts) {
    if ('value' in p) form.append(p.name, p.value);
    else form.append(p.name, new Blob([new Uint8Array(p.file)], p.contentType ? { type: p.contentType } : {}), p.filename ?? 'image');
  }
  const req = new Request('http://x/', { method: 'POST', body: form });
  return { body: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

/**
 * Serialises a form byte for byte as Python `requests` does for `files=` plus `data=`: text fields first,
 * files last, `filename="upload"` for raw bytes, and no Content-Type on text parts.
 */
export function pythonForm(parts: Part[]): { body: Buffer; headers: Record<string, string> } {
  const boundary = randomBytes(16).toString('hex');
  const ordered = [...parts.filter((p) => 'value' in p), ...parts.filter((p) => !('value' in p))];
  const chunks: Buffer[] = [];
  for (const p of ordered) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('value' in p) {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    } else {
      const type = p.contentType ? `Content-Type: ${p.contentType}\r\n` : '';
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"; filename="${p.filename ?? 'upload'}"\r\n${type}\r\n`), p.file, Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
