/** One Server-Sent Event as a client reads it: its name and its JSON data. */
export interface ReadEvent {
  event: string;
  data: any;
}

/**
 * Reads a `text/event-stream` answer event by event, as the SDKs do: `event:` and `data:` lines up
 * to a blank line; comments (heartbeats) are skipped. Ends when the server closes the stream.
 */
export async function* sseEvents(res: Response): AsyncGenerator<ReadEvent> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body!) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) yield { event, data: JSON.parse(data.join('\n')) };
    }
  }
}

/** Every event of a stream, once it has closed. */
export async function allEvents(res: Response): Promise<ReadEvent[]> {
  const out: ReadEvent[] = [];
  for await (const e of sseEvents(res)) out.push(e);
  return out;
}
