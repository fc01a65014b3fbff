// A camera cue: a stage camera's live picture (MJPEG in an <img>), full frame. Until a
// picture arrives the stage stays black; if none comes (or the stream drops) for 3 s the
// crew is told, and the page quietly asks again. Never a broken-image icon.

import { h } from "/static/shared/dom.js";
import { Layer } from "./layer.js";

const NO_PICTURE_MS = 3000;    // black this long: tell the crew
const RETRY_MS = 3000;         // a stream that ended is asked for again this often
const WATCH_MS = 250;

export class CameraLayer extends Layer {
  build() {
    const camera = this.cue.camera || {};
    this.name = camera.name || "?";
    this.img = new Image();
    this.img.className = "fill camera-feed";
    this.img.alt = "";
    this.img.decoding = "async";
    this.img.addEventListener("error", () => { this.failedAt = performance.now(); });
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
    if (camera.live_url) this.connect();
    else this.ctx.problem("camera", `camera cue ${this.cue.id}: no camera configured`);
    this.watch = setInterval(() => this.check(), WATCH_MS);
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
    const showing = this.img.naturalWidth > 0 && this.failedAt == null;
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
    this.img.removeAttribute("src");     // closes the stream: the camera may stop sending
    super.dispose();
  }
}
