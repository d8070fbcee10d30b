/** Recent edits kept in this browser (IndexedDB), newest first, and the edit still running, if any. */
export interface HistoryEntry {
  id?: number;
  created: number;
  prompt: string;
  model: string;
  backend: string;
  revisedPrompt: string | undefined;
  before: Blob;
  after: Blob;
}

/** An edit submitted as a job and not yet seen to its end: what a reload needs to follow it again. */
export interface PendingEdit {
  jobId: string;
  /**
   * The API key that made the job: only it can read the job, whatever key the page holds after a
   * reload (the same key is kept in localStorage anyway).
   */
  key: string;
  /** When it was submitted (ms since the epoch), for the elapsed time and the latency. */
  started: number;
  prompt: string;
  model: string;
  before: Blob;
}

const DB = 'retouch-playground';
const STORE = 'edits';
const PENDING = 'pending';
/** The pending store holds one record under this key: the page runs one edit at a time. */
const CURRENT = 'current';
const KEEP = 30;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 2);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
      if (!db.objectStoreNames.contains(PENDING)) db.createObjectStore(PENDING);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function addEntry(entry: HistoryEntry): Promise<void> {
  const db = await open();
  const store = db.transaction(STORE, 'readwrite').objectStore(STORE);
  await done(store.add(entry));
  const keys = (await done(store.getAllKeys())) as number[];
  for (const old of keys.sort((a, b) => a - b).slice(0, Math.max(0, keys.length - KEEP))) await done(store.delete(old));
}

export async function listEntries(): Promise<HistoryEntry[]> {
  const db = await open();
  const all = (await done(db.transaction(STORE).objectStore(STORE).getAll())) as HistoryEntry[];
  return all.sort((a, b) => b.created - a.created);
}

export async function setPending(pending: PendingEdit | null): Promise<void> {
  const store = (await open()).transaction(PENDING, 'readwrite').objectStore(PENDING);
  if (pending) await done(store.put(pending, CURRENT));
  else await done(store.delete(CURRENT));
}

export async function getPending(): Promise<PendingEdit | undefined> {
  return (await done((await open()).transaction(PENDING).objectStore(PENDING).get(CURRENT))) as PendingEdit | undefined;
}
