/** Recent edits kept in this browser (IndexedDB), newest first. */
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

const DB = 'retouch-playground';
const STORE = 'edits';
const KEEP = 30;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
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
