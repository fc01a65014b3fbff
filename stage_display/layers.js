// The cue layers, and makeLayer(), which picks one for a cue. The base class and the
// clock-synced video live in layer.js; the audience's cues (prompt, wall, poll) and the
// camera cues (live picture, replay) have their own modules.

import { h } from "/static/shared/dom.js";
import { creditsLine } from "./credits.js";
import { clamp, fitText, vh } from "./fit.js";
import { CameraLayer } from "./camera.js";
import { Layer, LOWER_THIRD, VideoLayer, lowerThird } from "./layer.js";
import { CloudLayer } from "./cloud.js";
import { GroupLayer } from "./group.js";
import { PollLayer } from "./poll.js";
import { PromptLayer } from "./prompt.js";
import { displayUrl, qrSource, typedJoin } from "./qr.js";
import { ReplayLayer } from "./replay.js";
import { CreditsRoll } from "./roll.js";
import { WallLayer } from "./wall.js";

export { displayUrl, qrSource };

export function recordType(cue) {
  if (cue.type) return cue.type;
  if (cue.media && cue.media.type) return cue.media.type;
  return cue.text ? "text" : null;
}

class BlackLayer extends Layer {}

class ImageLayer extends Layer {
  build() {
    const img = this.ctx.preloader.take(this.cue) || new Image();
    img.className = "fill";
    img.alt = "";
    img.decoding = "async";
    if (!img.getAttribute("src") && this.cue.media) img.src = this.cue.media.url;
    img.addEventListener("error",
      () => this.ctx.problem("media", `image failed to load: ${img.src}`));
    this.third = lowerThird(this.cue.title, creditsLine(this.cue.credits));
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

class JoinLayer extends Layer {
  build() {
    const cue = this.cue;
    const joinUrl = this.ctx.state().join_url;
    const typed = joinUrl ? typedJoin(joinUrl) : null;
    const qr = this.ctx.preloader.take(cue) || new Image();
    qr.className = "qr";
    qr.alt = "QR code to join";
    if (!qr.getAttribute("src")) qr.src = qrSource(joinUrl);
    this.el.append(h("div", { class: "join" },
      h("div", { class: "qr-card" }, qr),
      h("div", { class: "join-text" },
        cue.title ? h("h1", { class: "join-title", text: cue.title }) : null,
        cue.subtitle ? h("p", { class: "join-subtitle", text: cue.subtitle }) : null,
        // As Slido does: a short code, huge, for phones that will not scan
        typed ? h("p", { class: "join-type" },
          h("span", { text: "or go to " }), h("span", { class: "join-address", text: typed.address }),
          h("span", { text: " and type" })) : null,
        typed ? h("p", { class: "join-code", text: typed.code }) : null,
        joinUrl && !typed ? h("p", { class: "join-url", text: displayUrl(joinUrl) }) : null)));
  }
}

class CreditsLayer extends Layer {
  build() {
    this.roll = new CreditsRoll(this.cue, this.ctx.state().show);
    this.el.append(this.roll.el);
  }

  update(cue) {
    super.update(cue);
    this.roll.setAudience(cue.audience);
  }

  layout() {
    this.roll.layout();
  }

  tick(pos) {
    this.roll.tick(pos);
  }
}

const RECORDS = { video: VideoLayer, image: ImageLayer, audio: AudioLayer, text: TextLayer };
const KINDS = {
  title: TitleLayer, join: JoinLayer, credits: CreditsLayer, blackout: BlackLayer,
  prompt: PromptLayer, wall: WallLayer, poll: PollLayer, cloud: CloudLayer, camera: CameraLayer,
  replay: ReplayLayer, group: GroupLayer,
};

function layerClass(cue) {
  if (!cue) return BlackLayer;
  if (cue.kind === "record") {
    const type = recordType(cue);
    if (type !== "text" && !cue.media) return TitleLayer;   // nothing to play: say what it is
    return RECORDS[type] || TitleLayer;
  }
  return KINDS[cue.kind] || TitleLayer;                     // a kind we don't know yet
}

export function makeLayer(cue, ctx) {
  const Kind = layerClass(cue);
  const layer = new Kind(cue, ctx);
  layer.build();
  return layer;
}
