import { errors } from '../../errors.ts';

/** One Server-Sent Event: its `event:` name (null when none) and its `data:` lines joined, as bytes. */
export interface SseMessage {
  event: string | null;
  data: Buffer;
}

const LF = 0x0a;

/** Where the first blank line (the end of an event) starts and ends in `buf`, or undefined. */
function eventEnd(buf: Buffer): { start: number; end: number } | undefined {
  const lf = buf.indexOf('\n\n');
  const crlf = buf.indexOf('\r\n\r\n');
  if (lf < 0 && crlf < 0) return undefined;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { start: crlf, end: crlf + 4 };
  return { start: lf, end: lf + 2 };
}

/** Parses one event's lines; comments (`:` lines, heartbeats) and fields other than event/data are skipped. */
function parseEvent(block: Buffer): SseMessage | undefined {
  let event: string | null = null;
  const data: Buffer[] = [];
  let from = 0;
  while (from <= block.length) {
    let to = block.indexOf(LF, from);
    if (to < 0) to = block.length;
    let line = block.subarray(from, to);
    if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
    from = to + 1;
    if (line.length === 0 || line[0] === 0x3a) continue;
    const colon = line.indexOf(0x3a);
    const name = (colon < 0 ? line : line.subarray(0, colon)).toString('utf8');
    let value = colon < 0 ? Buffer.alloc(0) : line.subarray(colon + 1);
    if (value[0] === 0x20) value = value.subarray(1);
    if (name === 'event') event = value.toString('utf8');
    else if (name === 'data') data.push(value);
  }
  if (event === null && data.length === 0) return undefined;
  const joined = data.length === 1 ? data[0]! : Buffer.concat(data.flatMap((d, i) => (i ? [Buffer.from('\n'), d] : [d])));
  return { event, data: joined };
}

/**
 * The events of a `text/event-stream` body as they arrive. An event larger than `maxEventBytes`
 * (the provider's response cap) ends the stream with a 502, so a runaway upstream cannot fill memory.
 *
 * Why not split on every chunk: an image event is megabytes of base64 with no line break; chunks are
 * only joined when one holds a line break, so an event is copied about once.
 */
export async function* readSse(body: AsyncIterable<Uint8Array>, maxEventBytes: number, provider: string): AsyncGenerator<SseMessage> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const c = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    parts.push(c);
    size += c.length;
    if (size > maxEventBytes) throw errors.upstreamError(`The ${provider} upstream sent an event larger than ${maxEventBytes} bytes.`);
    if (!c.includes(LF)) continue;
    let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    for (let end = eventEnd(buf); end; end = eventEnd(buf)) {
      const message = parseEvent(buf.subarray(0, end.start));
      buf = buf.subarray(end.end);
      if (message) yield message;
    }
    parts = buf.length ? [buf] : [];
    size = buf.length;
  }
  const last = size ? parseEvent(Buffer.concat(parts, size)) : undefined;
  if (last) yield last;
}
