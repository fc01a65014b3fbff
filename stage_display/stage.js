// The picture: cue layers stacked on black. A new cue dissolves in over the old one; a
// blackout fades the whole stage (and its sound) to black and back.

import { makeLayer } from "./layers.js";

export const CROSSFADE_MS = 400;
export const BLACKOUT_MS = 1000;

export class Stage {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.layer = null;
    this.key = null;
    this.leaving = new Set();
    window.addEventListener("resize", () => this.layer && this.layer.layout());
  }

  /**
   * Puts `cue` on stage unless it is already there; `key` tells one showing from another.
   * The same showing with new live content (votes, approvals) is updated in place.
   */
  show(cue, key) {
    if (key === this.key) {
      if (this.layer) this.layer.update(cue);
      return false;
    }
    this.key = key;
    const old = this.layer;
    const layer = makeLayer(cue, this.ctx);
    const inMs = layer.fadeInMs() || CROSSFADE_MS;
    layer.el.classList.add("entering");
    layer.el.style.setProperty("--crossfade", `${inMs}ms`);
    this.root.append(layer.el);
    layer.layout();
    this.layer = layer;
    void layer.el.offsetWidth;                 // commit the transparent start of the fade
    layer.el.classList.remove("entering");
    if (old) {
      // A cue with a fade out fades (picture and sound) as the next one comes in: over it
      // when its fade out is the longer (a crossfade, the new picture showing through), else
      // under it (the new cue's own, longer fade in is what the room sees).
      const outMs = old.fadeOutMs(CROSSFADE_MS);
      const lingerMs = old.lingerMs(CROSSFADE_MS);
      if (outMs !== CROSSFADE_MS || lingerMs > outMs) {
        old.el.style.setProperty("--crossfade", `${outMs}ms`);
        old.el.classList.add("fading-out");
        old.el.classList.toggle("fading-over", outMs > inMs);
      }
      this.leaving.add(old);
      old.leave(outMs);
      setTimeout(() => {
        this.leaving.delete(old);
        old.dispose();
      }, Math.max(inMs, outMs, lingerMs) + 80);
    }
    return true;
  }

  /** `instant`: a display (re)loading into a blackout must not flash the picture first.
   *  `ms`: how long the fade takes (a panic has its own setting). */
  setBlackout(on, instant = false, ms = BLACKOUT_MS) {
    if (this.root.classList.contains("blackout") === on) return;
    if (instant || ms <= 0) this.root.classList.add("instant");
    this.root.style.setProperty("--blackout", `${Math.max(0, ms)}ms`);
    this.root.classList.toggle("blackout", on);
    this.ctx.master.to(on ? 0 : 1, instant ? 0 : Math.max(0, ms));
    if (instant || ms <= 0) {
      void this.root.offsetWidth;
      this.root.classList.remove("instant");
    }
  }

  tick(position) {
    if (this.layer) this.layer.tick(position);
  }

  checkMedia() {
    if (this.layer) this.layer.checkMedia();
  }

  /** The master gain moved: every layer's sound follows (scaled by the layer's own fade). */
  applyVolume() {
    if (this.layer) this.layer.applyVolume();
    this.leaving.forEach((layer) => layer.applyVolume());
  }

  get video() {
    const layers = this.layer && this.layer.parts ? [...this.layer.parts.values()] : [this.layer];
    const media = layers.map((l) => l && l.media).find((m) => m && m.tagName === "VIDEO");
    return media || null;   // a group's film is in one of its parts
  }

  unblock() {
    if (this.layer) this.layer.unblock();
  }
}
