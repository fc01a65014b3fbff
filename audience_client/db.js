// The phone's own record of its work, in IndexedDB: unsent submissions (with their files)
// wait here until the server acknowledges them, and sent ones stay listed under
// "My submissions" across reloads. Falls back to memory where IndexedDB is unavailable.

const DB_NAME = "liveshow-phone";
const STORE = "items";

let opening = null;
const memory = new Map();
export const changes = new EventTarget();   // "change" after every write

function open() {
  if (!opening) {
    opening = new Promise((resolve) => {
      let req;
      try {
        req = indexedDB.open(DB_NAME, 1);
      } catch {
        resolve(null);
        return;
      }
      req.onupgradeneeded = () => {
        const store = req.result.createObjectStore(STORE, { keyPath: "id" });
        store.createIndex("seq", "seq");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    });
  }
  return opening;
}

function run(mode, work) {
  return open().then((db) => new Promise((resolve, reject) => {
    if (!db) {
      resolve(work(null));
      return;
    }
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result instanceof IDBRequest ? result.result : result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("storage transaction aborted"));
  }));
}

/** True when work is really kept on the phone (not just in this page's memory). */
export async function durable() {
  return (await open()) !== null;
}

/** Write an item; resolves once the transaction has committed. */
export async function put(item) {
  await run("readwrite", (store) => (store ? store.put(item) : memory.set(item.id, item)));
  changes.dispatchEvent(new Event("change"));
  return item;
}

export async function get(id) {
  const value = await run("readonly", (store) => (store ? store.get(id) : memory.get(id)));
  return value || null;
}

export async function remove(id) {
  await run("readwrite", (store) => (store ? store.delete(id) : memory.delete(id)));
  changes.dispatchEvent(new Event("change"));
}

/** Every item, oldest first. */
export async function all() {
  const items = await run("readonly", (store) => (store ? store.index("seq").getAll()
                                                        : [...memory.values()]));
  return [...(items || [])].sort((a, b) => a.seq - b.seq);
}

/** Change an item in place (read, modify, write in one transaction). */
export async function update(id, change) {
  let updated = null;
  await run("readwrite", (store) => {
    if (!store) {
      const item = memory.get(id);
      if (item) { updated = { ...item, ...change(item) }; memory.set(id, updated); }
      return null;
    }
    const req = store.get(id);
    req.onsuccess = () => {
      if (req.result) {
        updated = { ...req.result, ...change(req.result) };
        store.put(updated);
      }
    };
    return null;
  });
  if (updated) changes.dispatchEvent(new Event("change"));
  return updated;
}

let seqCounter = 0;
/** A rising order number: items are sent in the order they were made. */
export function nextSeq() {
  seqCounter = Math.max(seqCounter + 1, Date.now() * 1000);
  return seqCounter;
}
