// Gets the standby cue ready before its GO: video and audio buffered in a hidden element that
// is moved on stage when the cue starts, images fully decoded, the join QR code fetched, a
// wall's first pictures in the cache.

import { once } from "/static/shared/dom.js";
import { mediaUrl } from "/static/shared/media.js";
import { recordType } from "./layers.js";
import { qrSource } from "./qr.js";
import { tilePicture } from "./tiles.js";

const WALL_PICTURES = 16;       // a wall's newest pictures fetched ahead (best effort)
const PLAYED = ["record", "replay"];

const keyOf = (cue) => `${cue.id}|${cue.media ? cue.media.sha256 : ""}`;

export class Preloader {
  constructor(holder, { onReady, onProblem }) {
    this.holder = holder;
    this.onReady = onReady;
    this.onProblem = onProblem;
    this.entries = new Map();      // key -> {key, cueId, groupId, ready, done, el}
    this.standby = null;           // {id, keys}: a group's standby has a key per cue of it
  }

  /** The id of the standby cue once it is ready to GO (a group: all its cues), or null. */
  get readyId() {
    if (!this.standby) return null;
    const ready = this.standby.keys.every((k) => {
      const entry = this.entries.get(k);
      return entry && entry.ready;
    });
    return ready ? this.standby.id : null;
  }

  /**
   * Preload `cue` (the standby; a group: each of its cues). What was preloaded for `keepId`
   * (a cue in its pre-wait, about to start) is kept; anything else is let go.
   */
  want(cue, state, keepId = null) {
    const parts = !cue ? [] : cue.kind === "group" ? cue.children || [] : [cue];
    const keys = parts.map(keyOf);
    this.standby = cue ? { id: cue.id, keys } : null;
    for (const [k, entry] of this.entries) {
      if (!keys.includes(k) && entry.groupId !== keepId) this.release(k);
    }
    this.onReady();
    for (const part of parts) {
      const key = keyOf(part);
      if (this.entries.has(key)) continue;
      const entry = { key, cueId: part.id, groupId: cue.id, ready: false, done: false, el: null };
      this.entries.set(key, entry);
      this.load(entry, part, state).then((ready) => {
        if (this.entries.get(key) !== entry) return;
        entry.ready = ready;
        entry.done = true;
        this.onProblem(this.problem());
        this.onReady();
      });
    }
  }

  /** What the standby could not preload (every cue of a group that failed), or null: one
   *  part loading must not clear another part's failure. */
  problem() {
    const keys = this.standby ? this.standby.keys : [];
    const failed = keys.map((k) => this.entries.get(k)).filter((e) => e && e.done && !e.ready);
    return failed.length ? `could not preload cue ${failed.map((e) => e.cueId).join(", ")}` : null;
  }

  async load(entry, cue, state) {
    if (cue.kind === "join" || cue.kind === "prompt") {
      return decode(entry, qrSource(state.join_url));
    }
    if (cue.kind === "wall") return warmWall(cue.wall);
    if (!PLAYED.includes(cue.kind) || !cue.media) return true;
    const type = recordType(cue);
    if (type === "image") return decode(entry, cue.media.url);
    if (type !== "video" && type !== "audio") return true;
    const el = document.createElement(type);
    el.preload = "auto";
    el.playsInline = true;
    el.src = cue.media.url;
    this.holder.append(el);
    entry.el = el;
    if (el.readyState < 3) await once(el, ["canplaythrough", "canplay", "error"], 20000);
    return el.readyState >= 3;
  }

  /** Hands the preloaded element to the layer that shows `cue` (once). */
  take(cue) {
    const entry = this.entries.get(keyOf(cue));
    if (!entry || !entry.el) return null;
    const el = entry.el;
    entry.el = null;
    return el;
  }

  release(key) {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    const el = entry && entry.el;
    if (el && (el.tagName === "VIDEO" || el.tagName === "AUDIO")) {
      el.removeAttribute("src");
      el.load();
      el.remove();
    }
  }
}

async function decode(entry, url) {
  const img = new Image();
  img.decoding = "async";
  img.src = url;
  entry.el = img;
  try {
    await img.decode();
    return true;
  } catch {
    return false;
  }
}

async function warmWall(wall) {
  if (!wall) return true;
  const urls = (wall.items || []).map((i) => mediaUrl(tilePicture(i))).filter(Boolean)
    .slice(0, WALL_PICTURES);
  const featured = wall.featured && wall.featured.media && mediaUrl(wall.featured.media.url);
  if (featured && wall.featured.kind !== "audio") urls.unshift(featured);
  await Promise.all(urls.map((url) => {
    const img = new Image();
    img.src = url;
    return img.decode().catch(() => null);
  }));
  return true;
}
