// A camera cue: a stage camera's live picture (MJPEG in an <img>), full frame. If no
// picture comes (or the stream drops) for 3 s the crew is told, and the page quietly asks
// again. Never a broken-image icon.
//
// Its transition, as OBS's: the picture before stays on stage (and keeps playing) until the
// camera's first frame is here, then the camera cuts in, or fades in over it for the cue's
// fade_in (the usual 0.4 s dissolve when it has none). The stage keeps the old layer for
// as long as fadeInMs() says: the longest wait for a frame plus the fade.

import { h } from "/static/shared/dom.js";
import { Layer } from "./layer.js";

const NO_PICTURE_MS = 3000;    // black this long: tell the crew
const RETRY_MS = 3000;         // a stream that ended is asked for again this often
const WATCH_MS = 250;
const HOLD_MS = 2500;          // no frame by then: come on anyway (black, the crew is told)
const DISSOLVE_MS = 400;       // a fade with no fade_in: the stage's usual crossfade

export class CameraLayer extends Layer {
  build() {
    const camera = this.cue.camera || {};
    this.name = camera.name || "?";
    this.img = new Image();
    this.img.className = "fill camera-feed";
    this.img.alt = "";
    this.img.decoding = "async";
    this.img.addEventListener("error", () => { this.failedAt = performance.now(); });
    // The cut (or the fade) is on the first frame: the image's load, which Chromium fires
    // for a stream of pictures once its first one is here (the 250 ms check catches a
    // browser that waits for the stream's end).
    this.img.addEventListener("load", () => { if (this.showing()) this.reveal(); });
    this.el.append(this.img);
    if (this.cue.title) {
      this.el.append(h("p", { class: "camera-label" },
        h("span", { class: "camera-dot", "aria-hidden": "true" }),
        h("span", { text: this.cue.title })));
    }
    this.live = false;
    this.blankSince = performance.now();
    this.attempt = 0;
    this.failedAt = null;
    this.el.classList.add("cueing");       // unseen until the first frame: the old picture stays
    this.el.dataset.transition = camera.transition === "cut" ? "cut" : "fade";
    this.revealed = false;
    const t = this.ctx.target(this.cue);    // a display joining the cue late does not fade
    this.playedMs = t && Number.isFinite(t.position) ? Math.max(0, t.position) * 1000 : 0;
    this.holdTimer = setTimeout(() => this.reveal(), HOLD_MS);
    if (camera.live_url) this.connect();
    else this.ctx.problem("camera", `camera cue ${this.cue.id}: no camera configured`);
    this.watch = setInterval(() => this.check(), WATCH_MS);
  }

  /** What the stage waits before the old picture goes: the longest hold, then the fade. */
  fadeInMs() {
    return HOLD_MS + this.entryMs();
  }

  /** How long the camera takes to come on: 0 for a cut, and for a display joining late. */
  entryMs() {
    if (this.el.dataset.transition === "cut") return 0;
    const seconds = Number(this.cue.fade_in);
    const ms = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DISSOLVE_MS;
    return this.playedMs >= ms ? 0 : ms - this.playedMs;
  }

  /** The first frame is here (or the wait is over): cut or fade in over the old picture. */
  reveal() {
    if (this.revealed) return;
    this.revealed = true;
    clearTimeout(this.holdTimer);
    const ms = this.entryMs();
    this.el.style.setProperty("--crossfade", `${ms}ms`);
    // With its picture: the layer's own fade is the transition (the feed shows at once).
    this.el.classList.toggle("camera-on", this.showing());
    this.check();
    this.el.classList.remove("cueing");
  }

  showing() {
    return this.img.naturalWidth > 0 && this.failedAt == null;
  }

  connect() {
    this.attempt += 1;
    this.connectedAt = performance.now();
    this.failedAt = null;
    const key = encodeURIComponent(this.ctx.key || "");
    // A fresh URL per attempt, so the browser never hands back a finished stream.
    this.img.src = `${this.cue.camera.live_url}?key=${key}&n=${this.attempt}`;
  }

  /** Is a picture showing? naturalWidth falls to 0 when a stream ends or fails. */
  check() {
    const now = performance.now();
    const showing = this.showing();
    if (showing && !this.revealed) this.reveal();
    if (showing !== this.live) {
      this.live = showing;
      this.el.classList.toggle("live", showing);
      if (showing) this.ctx.problem("camera", null);
      else this.blankSince = now;
    }
    if (showing || !this.cue.camera || !this.cue.camera.live_url) return;
    if (now - this.blankSince >= NO_PICTURE_MS) {
      this.ctx.problem("camera", `camera ${this.name}: no picture`);
    }
    // Still waiting on an open stream is fine; a stream that ended or failed is retried.
    const ended = this.failedAt != null || (this.img.complete && this.img.naturalWidth === 0);
    if (ended && now - this.connectedAt >= RETRY_MS) this.connect();
  }

  leave(ms) {
    super.leave(ms);
    clearInterval(this.watch);
  }

  dispose() {
    clearInterval(this.watch);
    clearTimeout(this.holdTimer);
    this.img.removeAttribute("src");     // closes the stream: the camera may stop sending
    super.dispose();
  }
}
