import { randomBytes } from 'node:crypto';

export type MultipartValue = string | { bytes: Buffer; type: string; filename: string };

/** A multipart/form-data body as the buffers that make it up, in order, and their total length. */
export interface MultipartBody {
  chunks: Buffer[];
  length: number;
  contentType: string;
}

/**
 * A multipart/form-data body that refers to the images instead of copying them: sent as a stream
 * of its chunks with an exact Content-Length (so not chunked), and sent again as is on a retry.
 *
 * Why not FormData: fetch streams a FormData body through Blob readers that copy every part, and
 * each copy of a multi-megabyte image is external memory that brings V8's next full GC closer;
 * on the relay path those GCs were the largest cost (docs/performance.md).
 */
export function multipartBody(fields: Array<[string, MultipartValue]>): MultipartBody {
  const boundary = `----retouch${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of fields) {
    const disposition = `form-data; name="${quote(name)}"${typeof value === 'string' ? '' : `; filename="${quote(value.filename)}"`}`;
    const type = typeof value === 'string' ? '' : `\r\nContent-Type: ${value.type}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`));
    chunks.push(typeof value === 'string' ? Buffer.from(value) : value.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { chunks, length: chunks.reduce((n, c) => n + c.length, 0), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The fetch options that send a multipart body (a fresh stream each time: one per attempt). */
export function multipartRequest(body: MultipartBody) {
  let next = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < body.chunks.length) controller.enqueue(body.chunks[next++]!);
      else controller.close();
    },
  });
  return {
    headers: { 'content-type': body.contentType, 'content-length': String(body.length) },
    body: stream,
    duplex: 'half' as const,
  };
}

/** Field names and file names in quotes, escaped as browsers do (WHATWG HTML multipart encoding). */
const quote = (s: string) => s.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
