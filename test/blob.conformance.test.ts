import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FsBlobStore } from '../src/blob/fs.ts';
import type { BlobStore } from '../src/blob/index.ts';
import { S3BlobStore } from '../src/blob/s3.ts';
import { loadConfig } from '../src/config/index.ts';
import { newId } from '../src/ids.ts';
import { type S3Server, startS3 } from './helpers/services.ts';

interface Subject {
  kind: string;
  open(): Promise<{ blobs: BlobStore; cleanup(): Promise<void> }>;
}

let s3: S3Server;
const subjects: Subject[] = [
  {
    kind: 'fs',
    async open() {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'retouch-blobs-'));
      return { blobs: new FsBlobStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    kind: 's3',
    async open() {
      s3 = await startS3();
      const config = loadConfig(s3.env);
      return { blobs: new S3BlobStore(config.s3!), cleanup: () => s3.close() };
    },
  },
];

async function read(blobs: BlobStore, name: string) {
  const blob = await blobs.get(name);
  if (!blob) return null;
  const chunks: Buffer[] = [];
  for await (const c of blob.body) chunks.push(c as Buffer);
  return { bytes: Buffer.concat(chunks), size: blob.size, createdAt: blob.createdAt };
}

for (const subject of subjects) {
  describe(`blob store conformance: ${subject.kind}`, () => {
    let b: Awaited<ReturnType<Subject['open']>>;
    before(async () => { b = await subject.open(); });
    after(async () => { await b.cleanup(); });

    it('gives back exactly the bytes stored, with size and creation time', async () => {
      const name = `${newId('image')}.webp`;
      const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
      const before = Date.now();
      await b.blobs.put(name, bytes);
      const got = (await read(b.blobs, name))!;
      assert.ok(got.bytes.equals(bytes), 'byte for byte (no chunk framing, no checksum trailer)');
      assert.equal(got.size, bytes.length);
      assert.ok(Math.abs(got.createdAt - before) < 5000, `created ${got.createdAt - before} ms from now`);
    });

    it('answers null for a blob that is not there, and a second put replaces the first', async () => {
      assert.equal(await b.blobs.get(`${newId('image')}.png`), null);
      const name = `${newId('image')}.png`;
      await b.blobs.put(name, Buffer.from('one'));
      await b.blobs.put(name, Buffer.from('two'));
      assert.equal((await read(b.blobs, name))!.bytes.toString(), 'two');
    });

    it('deletes one blob, and deleting what is absent is no error', async () => {
      const name = `${newId('image')}.jpeg`;
      await b.blobs.put(name, Buffer.from('x'));
      await b.blobs.delete(name);
      assert.equal(await b.blobs.get(name), null);
      await b.blobs.delete(name);
    });

    it('sweeps what was created before the cut-off, and nothing newer', async () => {
      const name = `${newId('image')}.webp`;
      await b.blobs.put(name, Buffer.from('keep'));
      assert.equal(await b.blobs.sweep(Date.now() - 3600_000), 0);
      assert.ok(await b.blobs.get(name));
      const removed = await b.blobs.sweep(Date.now() + 5000);
      assert.ok(removed >= 1);
      assert.equal(await b.blobs.get(name), null);
    });

    it('refuses names that could reach outside the store', async () => {
      await assert.rejects(b.blobs.put('../x.webp', Buffer.from('x')));
      await assert.rejects(b.blobs.put('.hidden', Buffer.from('x')));
    });
  });
}
