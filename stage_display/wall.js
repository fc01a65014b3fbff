// A wall cue: the audience's approved works, live. A mosaic of tiles (thumbnails, tiny
// stories, sounds), each with its artist's handle, and the featured work big in the
// spotlight. New approvals arrive gently in place of the tile shown longest; when more works
// than tiles are approved, one tile at a time changes, calmly, so every work gets its turn.

import { h } from "/static/shared/dom.js";
import { fitText, vh } from "./fit.js";
import { Layer } from "./layer.js";
import { inviteLine } from "./qr.js";
import { WallSounds } from "./sounds.js";
import { Spotlight } from "./spotlight.js";
import { NOUNS, tile } from "./tiles.js";

// Tiles in the mosaic [columns, rows]: by what the wall holds, and beside a spotlight or not.
const GRIDS = {
  media: { full: [5, 3], side: [2, 3] },
  text: { full: [3, 2], side: [1, 3] },
  audio: { full: [4, 2], side: [2, 3] },
};
const ROTATE_MS = 5000;       // when not every work fits: one tile changes this often
const FADE_MS = 900;          // tiles and spotlight dissolve this long (display.css agrees)
const ARRIVAL_GAP_MS = 260;   // works approved together arrive one after another

function modeOf(items) {
  const n = { media: 0, text: 0, audio: 0 };
  items.forEach((i) => { n[i.kind === "text" || i.kind === "audio" ? i.kind : "media"] += 1; });
  return Object.keys(n).reduce((a, b) => (n[b] > n[a] ? b : a), "media");
}

/** The grid for `n` works: the most tiles `[cols, rows]` allows, or, for fewer works, the
 *  fewest rows and columns that hold them with the biggest tiles (the grid's box is about
 *  91vw x 72vh, or 32vw x 72vh beside the spotlight). */
function gridFor([cols, rows], n, side) {
  if (n >= cols * rows) return [cols, rows];
  const width = side ? 32 * innerWidth : 91 * innerWidth;
  const height = 72 * innerHeight;
  let best = [cols, rows];
  let bestSize = 0;
  for (let r = 1; r <= rows; r++) {
    const c = Math.min(cols, Math.ceil(n / r));
    if (c * r < n) continue;
    const size = Math.min(width / c, height / r);
    if (size > bestSize) { best = [c, r]; bestSize = size; }
  }
  return best;
}

function countText(items) {
  const kinds = new Set(items.map((i) => i.kind));
  const [one, many] = (kinds.size === 1 && NOUNS[[...kinds][0]]) || ["work", "works"];
  return items.length ? `${items.length} ${items.length === 1 ? one : many}` : "";
}

export class WallLayer extends Layer {
  build() {
    this.seen = new Set();          // works this layer knows (a new one arrives with a glow)
    this.lastShown = new Map();     // id -> when it last went up
    this.broken = new Set();        // pictures that would not load: left out
    this.slots = [];                // {el, tile, since}
    this.gridKey = null;
    this.nextRotate = performance.now() + ROTATE_MS * 1.5;
    this.question = h("h1", { class: "wall-question",
                              text: this.cue.question || this.cue.title || "" });
    this.count = h("p", { class: "wall-count" });
    this.head = h("header", { class: "wall-head" }, h("div", { class: "wall-q" }, this.question),
      this.count);
    this.spotBox = h("div", { class: "wall-spot" });
    this.spot = new Spotlight(this.spotBox, {
      level: () => this.level(),
      problem: this.ctx.problem,
      onFailed: (item) => this.failed(item, () => {}),
    });
    // Approved sounds play in turn; a featured sound in the spotlight has the room alone.
    this.sounds = new WallSounds({
      tiles: () => this.slots.map((s) => s.tile).filter((t) => t && t.item.kind === "audio"),
      busy: () => Boolean(this.spotItem && this.spotItem.kind === "audio"),
      level: () => this.level(),
      problem: this.ctx.problem,
    });
    this.invite = inviteLine("Add yours at");
    this.el.append(this.head, this.spotBox, this.invite.el);
    this.apply(true);
  }

  update(cue) {
    super.update(cue);
    this.apply(false);
  }

  apply(initial) {
    const wall = this.cue.wall || {};
    const items = (wall.items || []).filter((i) => !this.broken.has(i.id));
    const spot = wall.featured && !this.broken.has(wall.featured.id) ? wall.featured : null;
    this.pool = items.filter((i) => !spot || i.id !== spot.id);
    const mode = modeOf(spot ? [spot, ...this.pool] : this.pool);
    let key = `${mode}-full`;
    if (spot) key = this.pool.length ? `${mode}-side` : "solo";
    else if (!this.pool.length) key = "empty";
    if (key !== this.gridKey) this.makeGrid(key, mode, initial);
    else this.resizeGrid(mode);
    this.spotItem = spot;
    this.spot.set(spot);
    this.fill(initial);
    if (this.sounds) this.sounds.check();
    const all = spot && !items.some((i) => i.id === spot.id) ? [spot, ...items] : items;
    this.count.textContent = countText(all);
    this.invite.set(this.ctx.state(), this.cue);
  }

  // ---- the mosaic ------------------------------------------------------------------------
  makeGrid(key, mode, initial) {
    const old = this.grid;
    this.gridKey = key;
    const side = key.endsWith("-side");
    const [cols, rows] = key === "empty" || key === "solo" ? [0, 0]
      : gridFor(GRIDS[mode][side ? "side" : "full"], this.pool.length, side);
    this.grid = h("div", { class: `wall-grid grid-${mode} ${side ? "grid-side" : "grid-full"}`,
                           style: `--cols: ${cols}; --rows: ${rows}` });
    this.grid.classList.toggle("few", rows <= 2);
    if (key === "empty") {
      this.grid.append(h("p", { class: "wall-empty", text: "The first answers appear here" }));
    }
    this.slots = Array.from({ length: cols * rows }, () => {
      const slot = { el: h("div", { class: "slot" }), tile: null, since: 0 };
      this.grid.append(slot.el);
      return slot;
    });
    this.el.dataset.layout = key;
    this.spotBox.classList.toggle("solo", key === "solo");
    this.el.insertBefore(this.grid, this.spotBox);
    if (!old) return;
    if (!initial) {
      this.grid.classList.add("entering");
      void this.grid.offsetWidth;
      this.grid.classList.remove("entering");
    }
    old.classList.add("gone");
    setTimeout(() => old.remove(), FADE_MS + 100);
  }

  /** More (or fewer) works in the same kind of grid: tiles grow or shrink in place, new
   *  slots join at the end, and a slot that is no longer needed goes with its work. */
  resizeGrid(mode) {
    if (!this.grid || this.gridKey === "empty" || this.gridKey === "solo") return;
    const side = this.gridKey.endsWith("-side");
    const [cols, rows] = gridFor(GRIDS[mode][side ? "side" : "full"], this.pool.length, side);
    if (cols * rows === this.slots.length && this.grid.style.getPropertyValue("--cols") === String(cols)) return;
    this.grid.style.setProperty("--cols", String(cols));
    this.grid.style.setProperty("--rows", String(rows));
    this.grid.classList.toggle("few", rows <= 2);
    while (this.slots.length < cols * rows) {
      const slot = { el: h("div", { class: "slot" }), tile: null, since: 0 };
      this.grid.append(slot.el);
      this.slots.push(slot);
    }
    while (this.slots.length > cols * rows) {
      const empty = this.slots.findIndex((sl) => !sl.tile);
      const [slot] = this.slots.splice(empty >= 0 ? empty : this.slots.length - 1, 1);
      slot.el.remove();
    }
    if (this.el.isConnected) this.slots.forEach((sl) => sl.tile && sl.tile.fit());
  }

  fill(initial) {
    const ids = new Set(this.pool.map((i) => i.id));
    this.slots.forEach((s) => { if (s.tile && !ids.has(s.tile.item.id)) this.clear(s); });
    const shown = new Set(this.slots.filter((s) => s.tile).map((s) => s.tile.item.id));
    const fresh = this.pool.filter((i) => !this.seen.has(i.id) && !shown.has(i.id));
    fresh.forEach((i) => this.seen.add(i.id));
    const taken = new Set();
    let delay = 0;
    for (const item of fresh) {
      const slot = this.slots.find((s) => !s.tile)
        || this.slots.filter((s) => !taken.has(s)).sort((a, b) => a.since - b.since)[0];
      if (!slot) break;             // more new works than tiles: the rotation brings the rest
      taken.add(slot);
      this.put(slot, item, { fresh: !initial, delay });
      if (!initial) delay += ARRIVAL_GAP_MS;
    }
    if (fresh.length && !initial) this.nextRotate = performance.now() + ROTATE_MS + delay;
    for (const slot of this.slots) {
      if (slot.tile) continue;
      const next = this.nextUnshown();
      if (!next) break;
      this.put(slot, next, { fresh: false, delay: 0 });
    }
  }

  /** The work that waited longest (never shown first, newest first among those). */
  nextUnshown() {
    const shown = new Set(this.slots.filter((s) => s.tile).map((s) => s.tile.item.id));
    let best = null;
    let bestAt = Infinity;
    for (const item of this.pool) {
      if (shown.has(item.id)) continue;
      const at = this.lastShown.has(item.id) ? this.lastShown.get(item.id) : -Infinity;
      if (at < bestAt) { best = item; bestAt = at; }
    }
    return best;
  }

  put(slot, item, { fresh, delay }) {
    const t = tile(item);
    const before = slot.tile;
    slot.tile = t;
    slot.since = performance.now() + delay;
    this.lastShown.set(item.id, slot.since);
    if (fresh) t.el.classList.add("fresh");
    slot.el.append(t.el);
    if (this.el.isConnected) t.fit();
    t.ready.then((ok) => {
      if (slot.tile !== t) return void t.el.remove();
      if (!ok) {
        return this.failed(item, () => {
          t.el.remove();
          slot.tile = before && before.el.isConnected ? before : null;
        });
      }
      setTimeout(() => {
        if (slot.tile !== t) return void t.el.remove();
        void t.el.offsetWidth;      // commit the start of the entrance
        t.el.classList.add("in");
        // Whatever it covers goes once it is fully in.
        setTimeout(() => [...slot.el.children].forEach((el) => {
          if (el !== t.el && !(slot.tile && slot.tile.el === el)) el.remove();
        }), FADE_MS + 100);
      }, delay);
    });
  }

  clear(slot) {
    slot.tile = null;
    const going = [...slot.el.children];
    going.forEach((el) => el.classList.add("out"));
    setTimeout(() => going.forEach((el) => el.remove()), FADE_MS + 100);
  }

  failed(item, cleanUp) {
    this.broken.add(item.id);
    cleanUp();
    this.ctx.problem("media", `wall: ${this.broken.size} picture(s) would not load`);
    this.apply(false);
  }

  applyVolume() {
    if (this.spot) this.spot.applyVolume();
    if (this.sounds) this.sounds.applyVolume();
  }

  unblock() {
    this.spot.unblock();
    this.sounds.unblock();
  }

  // ---- time and space --------------------------------------------------------------------
  layout() {
    fitText(this.head.firstChild, this.question, vh(5.6), vh(3));
    this.slots.forEach((s) => s.tile && s.tile.fit());
    this.spot.fit();
  }

  tick() {
    const now = performance.now();
    if (this.leaving || now < this.nextRotate) return;
    this.nextRotate = now + ROTATE_MS;
    const next = this.nextUnshown();
    const slot = this.slots.filter((s) => s.tile).sort((a, b) => a.since - b.since)[0];
    if (next && slot) this.put(slot, next, { fresh: false, delay: 0 });
    this.sounds.check();
  }

  leave(ms) {
    super.leave(ms);
    this.spot.stop();
    this.sounds.windDown();
  }

  dispose() {
    this.sounds.stop();
    this.spot.dispose();
    super.dispose();
  }
}
