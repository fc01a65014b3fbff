// The outbox: every submission is written to IndexedDB *before* it is sent, then a single
// worker sends pending items in the order they were made. An item leaves the queue only when
// the server acknowledges it (sent) or definitively refuses it (rejected, with the reason);
// a network failure, a 5xx, a rate limit or a timeout means "try again later", with backoff.
// Resending the same id is safe: the server answers a repeat with its first answer.

import * as db from "./db.js";

const MIN_DELAY = 1000;
const MAX_DELAY = 30000;

export class Outbox extends EventTarget {
  /**
   * @param send       async (item) => {outcome: "sent", status} | {outcome: "rejected", reason}
   *                   | {outcome: "retry", reason, after?} (after: the server's
   *                   Retry-After in seconds, the least wait before the next try)
   * @param ready      (item) => true when the item can be sent now (connection, token)
   */
  constructor({ send, ready }) {
    super();
    this.send = send;
    this.ready = ready;
    this.running = false;
    this.again = false;
    this.failures = 0;
    this.timer = null;
    this.lastError = null;
  }

  /** Keep the item on the phone first, then try to send it. */
  async add(fields) {
    const item = await db.put({ ...fields, seq: db.nextSeq(), state: "pending",
                                created: Date.now(), attempts: 0 });
    this.kick();
    return item;
  }

  /** Send now: on load, on reconnect, when the browser comes back online, after a join. */
  kick() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.running) {
      this.again = true;
      return;
    }
    this.drain().catch((err) => {
      this.running = false;
      this.report(`the phone's storage failed: ${err && err.message}`);
    });
  }

  async drain() {
    this.running = true;
    let backoff = false;
    let after = 0;
    do {
      this.again = false;
      const pending = (await db.all()).filter((i) => i.state === "pending");
      for (const item of pending) {
        if (item.kind === "vote" && pending.some((later) => later.kind === "vote"
            && later.prompt === item.prompt && later.seq > item.seq)) {
          await db.remove(item.id);             // a later tap replaces this vote anyway
          continue;
        }
        if (!this.ready(item)) break;           // wait for the next kick, keeping the order
        let result;
        try {
          result = await this.send(item);
        } catch (err) {
          result = { outcome: "retry", reason: (err && err.message) || "network error" };
        }
        if (result.outcome === "retry") {
          this.failures += 1;
          await db.update(item.id, (i) => ({ attempts: (i.attempts || 0) + 1,
                                             lastError: result.reason }));
          this.report(result.reason);
          backoff = true;
          after = Number(result.after) || 0;
          break;
        }
        this.failures = 0;
        await this.settle(item, result);
      }
    } while (this.again && !backoff);
    this.running = false;
    if (backoff) {
      const delay = Math.min(MAX_DELAY, MIN_DELAY * 2 ** Math.min(this.failures - 1, 10));
      const jittered = delay * (0.8 + Math.random() * 0.4);
      this.timer = setTimeout(() => this.kick(), Math.max(jittered, Math.min(after, 300) * 1000));
    } else {
      this.report(null);
    }
    if (this.again) this.kick();
  }

  /** Forget settled items older than `days` (pending work is never dropped). */
  async prune(days = 7) {
    const cutoff = Date.now() - days * 86400000;
    for (const item of await db.all()) {
      if (item.state !== "pending" && (item.created || 0) < cutoff) await db.remove(item.id);
    }
  }

  async settle(item, result) {
    const done = result.outcome === "sent"
      ? { state: "sent", status: result.status || "sent", sentAt: Date.now() }
      : { state: "rejected", reason: result.reason || "refused by the server" };
    // The file has done its job: keep only the small preview for the list.
    await db.update(item.id, () => ({ ...done, file: null, lastError: null }));
    if (item.kind === "vote" && result.outcome === "sent") {
      // One vote per phone and prompt: the list keeps only the latest.
      for (const other of await db.all()) {
        if (other.kind === "vote" && other.prompt === item.prompt && other.seq < item.seq
            && other.state !== "pending") {
          await db.remove(other.id);
        }
      }
    }
    this.dispatchEvent(new CustomEvent("settled", { detail: { ...item, ...done } }));
  }

  report(error) {
    if (error === this.lastError) return;
    this.lastError = error;
    this.dispatchEvent(new CustomEvent("status", { detail: { error } }));
  }
}
