import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BlobStore, StoredBlob } from './index.ts';

const TMP_SUFFIX = '.partial';

/** Blobs as files in one directory, written to a temporary name and renamed into place. */
export class FsBlobStore implements BlobStore {
  readonly kind = 'fs';
  private ready: Promise<unknown> | undefined;

  constructor(private readonly dir: string) {}

  private ensureDir() {
    this.ready ??= mkdir(this.dir, { recursive: true });
    return this.ready;
  }

  private pathOf(name: string) {
    // Names come from newId() and a fixed extension list; this guards against a caller bug anyway.
    if (name !== path.basename(name) || name.startsWith('.')) throw new Error(`bad blob name ${name}`);
    return path.join(this.dir, name);
  }

  async put(name: string, bytes: Buffer) {
    await this.ensureDir();
    const target = this.pathOf(name);
    const tmp = `${target}.${randomBytes(4).toString('hex')}${TMP_SUFFIX}`;
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
  }

  async get(name: string): Promise<StoredBlob | null> {
    const file = this.pathOf(name);
    try {
      const s = await stat(file);
      if (!s.isFile()) return null;
      return { body: createReadStream(file), size: s.size, createdAt: s.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(name: string) {
    await unlink(this.pathOf(name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  /**
   * Removes `*.partial` files older than `olderThanMs`: what a process killed mid-write left. Run at
   * start-up; the age guard spares a write another process may have in flight in the same directory.
   */
  async removeStalePartials(olderThanMs = 60_000, now = Date.now()): Promise<number> {
    await this.ensureDir();
    let removed = 0;
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith(TMP_SUFFIX)) continue;
      const file = path.join(this.dir, entry.name);
      const s = await stat(file).catch(() => null);
      if (s && s.mtimeMs < now - olderThanMs) {
        await unlink(file).catch(() => {});
        removed++;
      }
    }
    return removed;
  }

  async sweep(before: number) {
    await this.ensureDir();
    let removed = 0;
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(this.dir, entry.name);
      const s = await stat(file).catch(() => null);
      // Partial files older than the cut-off are leftovers of a crash mid-write: sweep them too.
      if (s && s.mtimeMs < before) {
        await unlink(file).catch(() => {});
        removed++;
      }
    }
    return removed;
  }
}
