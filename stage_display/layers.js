// One layer per cue on screen. A layer builds its DOM from the cue (text only as text),
// lays itself out, follows the show position in tick(), and cleans up after itself.

import { clamp, creditsLine, h } from "./dom.js";
import { Ramp } from "./fade.js";
import { fitText, vh } from "./fit.js";
import { AUTOPLAY_PROBLEM, MediaSync } from "./media-sync.js";
import { CreditsRoll } from "./roll.js";

const LOWER_THIRD = [0.6, 8.5];   // seconds into a video/image when its credits show
const JOIN_LATE = 0.5;            // s: a cue further along than this is joined, not started
const REVEAL_ANYWAY_MS = 5000;    // however the media is doing, show it by then

export function recordType(cue) {
  if (cue.type) return cue.type;
  if (cue.media && cue.media.type) return cue.media.type;
  return cue.text ? "text" : null;
}

class Layer {
  constructor(cue, ctx) {
    this.cue = cue;
    this.ctx = ctx;
    this.media = null;
    this.sync = null;
    this.gain = new Ramp(1, () => this.applyVolume());
    this.el = h("section", { class: `layer kind-${cue ? cue.kind : "none"}` });
    if (cue) this.el.dataset.cue = cue.id;
  }

  build() {}
  layout() {}
  tick() {}

  checkMedia() {
    if (this.sync) this.sync.check();
  }

  applyVolume() {
    if (this.media) this.media.volume = clamp(this.gain.value * this.ctx.master.value, 0, 1);
  }

  useMedia(el) {
    this.media = el;
    // Joining a cue already under way (a reload, a late display): stay unseen and silent
    // until the media is in step, then fade in.
    const t = this.ctx.target(this.cue);
    const hidden = Boolean(t && t.playing && t.position > JOIN_LATE);
    if (hidden) {
      this.el.classList.add("cueing");
      this.gain.to(0, 0);
      setTimeout(() => this.sync && this.sync.reveal(), REVEAL_ANYWAY_MS);
    }
    this.applyVolume();
    this.sync = new MediaSync(el, {
      hidden,
      onAligned: () => {
        this.el.classList.remove("cueing");
        this.gain.to(1, 400);
      },
      target: () => this.ctx.target(this.cue),
      onProblem: (msg) => this.ctx.problem("media", msg),
      onBlocked: (blocked) => {
        this.el.classList.toggle("blocked", blocked && this.hideWhenBlocked);
        this.ctx.problem("autoplay", blocked ? AUTOPLAY_PROBLEM : null);
      },
    });
  }

  leave(ms) {
    if (this.sync) this.sync.stop();
    this.gain.to(0, ms);
    if (this.sync && this.sync.blocked) this.ctx.problem("autoplay", null);
  }

  dispose() {
    this.gain.cancel();
    if (this.media) {
      this.media.pause();
      this.media.removeAttribute("src");
      this.media.load();          // lets the decoder go
    }
    this.el.remove();
  }
}

class BlackLayer extends Layer {}

function lowerThird(cue) {
  return h("div", { class: "lower-third" },
    h("h2", { class: "lt-title", text: cue.title }),
    creditsLine(cue.credits));
}

class VideoLayer extends Layer {
  build() {
    this.hideWhenBlocked = true;
    const video = this.ctx.preloader.take(this.cue) || document.createElement("video");
    video.className = "fill";
    video.playsInline = true;
    video.preload = "auto";
    video.muted = false;
    video.loop = false;
    if (!video.getAttribute("src") && this.cue.media) video.src = this.cue.media.url;
    this.third = lowerThird(this.cue);
    this.el.append(video, this.third);
    this.useMedia(video);
  }

  tick(pos) {
    this.third.classList.toggle("shown", pos != null && pos >= LOWER_THIRD[0]
                                          && pos < LOWER_THIRD[1]);
  }
}

class ImageLayer extends Layer {
  build() {
    const img = this.ctx.preloader.take(this.cue) || new Image();
    img.className = "fill";
    img.alt = "";
    img.decoding = "async";
    if (!img.getAttribute("src") && this.cue.media) img.src = this.cue.media.url;
    img.addEventListener("error",
      () => this.ctx.problem("media", `image failed to load: ${img.src}`));
    this.third = lowerThird(this.cue);
    this.el.append(img, this.third);
  }

  tick(pos) {
    this.third.classList.toggle("shown", pos != null && pos >= LOWER_THIRD[0]
                                          && pos < LOWER_THIRD[1]);
  }
}

class AudioLayer extends Layer {
  build() {
    this.hideWhenBlocked = false;
    const audio = this.ctx.preloader.take(this.cue) || document.createElement("audio");
    audio.preload = "auto";
    audio.muted = false;
    audio.loop = false;
    if (!audio.getAttribute("src") && this.cue.media) audio.src = this.cue.media.url;
    this.bar = h("div", { class: "bar" });
    this.el.append(
      h("div", { class: "audio-card" },
        h("div", { class: "orb", "aria-hidden": "true" }, h("span"), h("span"), h("span"), h("i")),
        h("h1", { class: "audio-title", text: this.cue.title }),
        creditsLine(this.cue.credits)),
      h("div", { class: "audio-progress" }, this.bar),
      audio);
    this.useMedia(audio);
  }

  tick(pos) {
    const duration = Number.isFinite(this.media.duration) ? this.media.duration
      : this.cue.duration;
    if (duration && pos != null) {
      this.bar.style.transform = `scaleX(${clamp(pos / duration, 0, 1)})`;
    }
  }
}

class TextLayer extends Layer {
  build() {
    this.inner = h("div", { class: "story-fit" },
      this.cue.title ? h("h1", { class: "story-title", text: this.cue.title }) : null,
      h("p", { class: "story-text", text: this.cue.text || "" }),
      creditsLine(this.cue.credits));
    this.box = h("div", { class: "story" }, this.inner);
    this.el.append(this.box);
  }

  layout() {
    fitText(this.box, this.inner, vh(7.2), vh(1.6));
  }
}

class TitleLayer extends Layer {
  build() {
    const cue = this.cue;
    this.inner = h("div", { class: "title-fit" },
      h("h1", { class: "title-main", text: cue.title || "" }),
      cue.subtitle ? h("div", { class: "title-rule" }) : null,
      cue.subtitle ? h("p", { class: "title-sub", text: cue.subtitle }) : null);
    this.box = h("div", { class: "fit-box" }, this.inner);
    this.el.append(this.box);
  }

  layout() {
    fitText(this.box, this.inner, vh(9.5), vh(2));
  }
}

export function displayUrl(url) {
  return String(url).replace(/^https?:\/\//, "");
}

export function qrSource(joinUrl) {
  // The query only busts caches when the join URL changes; the server ignores it.
  return `/qr/join.svg?for=${encodeURIComponent(joinUrl || "")}`;
}

class JoinLayer extends Layer {
  build() {
    const cue = this.cue;
    const joinUrl = this.ctx.state().join_url;
    const qr = this.ctx.preloader.take(cue) || new Image();
    qr.className = "qr";
    qr.alt = "QR code to join";
    if (!qr.getAttribute("src")) qr.src = qrSource(joinUrl);
    this.el.append(h("div", { class: "join" },
      h("div", { class: "qr-card" }, qr),
      h("div", { class: "join-text" },
        cue.title ? h("h1", { class: "join-title", text: cue.title }) : null,
        cue.subtitle ? h("p", { class: "join-subtitle", text: cue.subtitle }) : null,
        joinUrl ? h("p", { class: "join-url", text: displayUrl(joinUrl) }) : null)));
  }
}

class CreditsLayer extends Layer {
  build() {
    this.roll = new CreditsRoll(this.cue, this.ctx.state().show);
    this.el.append(this.roll.el);
  }

  layout() {
    this.roll.layout();
  }

  tick(pos) {
    this.roll.tick(pos);
  }
}

const RECORDS = { video: VideoLayer, image: ImageLayer, audio: AudioLayer, text: TextLayer };

export function makeLayer(cue, ctx) {
  let Kind = BlackLayer;
  if (cue && cue.kind === "record") {
    const type = recordType(cue);
    Kind = RECORDS[type] || TitleLayer;
    if (type !== "text" && !cue.media) Kind = TitleLayer;    // nothing to play: say what it is
  }
  else if (cue && cue.kind === "title") Kind = TitleLayer;
  else if (cue && cue.kind === "join") Kind = JoinLayer;
  else if (cue && cue.kind === "credits") Kind = CreditsLayer;
  else if (cue && cue.kind !== "blackout") Kind = TitleLayer;   // a kind we don't know yet
  const layer = new Kind(cue, ctx);
  layer.build();
  return layer;
}
