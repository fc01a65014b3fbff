// The base of every cue layer, and the clock-synced video layer that records and replays
// share. A layer builds its DOM from the cue (text only as text), lays itself out, follows
// the show position in tick(), takes live changes of its cue in update(), and cleans up.

import { h } from "/static/shared/dom.js";
import { creditsLine } from "./credits.js";
import { clamp } from "./fit.js";
import { Ramp } from "./fade.js";
import { AUTOPLAY_PROBLEM, MediaSync } from "./media-sync.js";

export const LOWER_THIRD = [0.6, 8.5];   // seconds into a video/image when its credits show
const JOIN_LATE = 0.5;            // s: a cue further along than this is joined, not started
const REVEAL_ANYWAY_MS = 5000;    // however the media is doing, show it by then

export class Layer {
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

  /** The same cue, with live content changed (wall approvals, votes): no restart. */
  update(cue) {
    this.cue = cue;
  }

  checkMedia() {
    if (this.sync) this.sync.check();
  }

  /** The layer's volume: its fade, times the cue's level, times the stage's (blackout and
   *  the crew's master volume). */
  level() {
    return this.gain.value * cueGain(this.cue) * this.ctx.master.value * this.ctx.volume();
  }

  applyVolume() {
    if (this.media) this.media.volume = clamp(this.level(), 0, 1);
  }

  /** A cue's own fade in, less what has already played (a reload does not fade again). */
  fadeInMs() {
    const seconds = fadeSeconds(this.cue, "fade_in");
    const t = this.ctx.target(this.cue);
    const played = t && Number.isFinite(t.position) ? t.position : 0;
    return Math.max(0, seconds - played) * 1000;
  }

  /** How long the layer takes to go when the next cue replaces it: its fade out, if any. */
  fadeOutMs(usual) {
    const seconds = fadeSeconds(this.cue, "fade_out");
    return seconds > 0 ? seconds * 1000 : usual;
  }

  /** How long the layer stays once replaced (a group's sound may outlast its picture). */
  lingerMs(usual) {
    return this.fadeOutMs(usual);
  }

  /** Someone clicked the projector page: sound is allowed now. */
  unblock() {
    if (this.sync) this.sync.unblock();
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
    } else if (this.fadeInMs() > 0) {
      this.gain.to(0, 0);
      this.gain.to(1, this.fadeInMs());
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
    this.leaving = true;
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

function fadeSeconds(cue, field) {
  const seconds = cue ? Number(cue[field]) : 0;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}

/** A cue's level (dB, 0 or less) as a gain. */
export function cueGain(cue) {
  const db = cue ? Number(cue.level) : 0;
  return Number.isFinite(db) && db < 0 ? 10 ** (db / 20) : 1;
}

export function lowerThird(title, ...lines) {
  return h("div", { class: "lower-third" },
    h("h2", { class: "lt-title", text: title }), ...lines);
}

/** A video on the show clock: starts in step, resumes on the right frame after a reload. */
export class VideoLayer extends Layer {
  build() {
    this.hideWhenBlocked = true;
    const video = this.ctx.preloader.take(this.cue) || document.createElement("video");
    video.className = "fill";
    video.playsInline = true;
    video.preload = "auto";
    video.muted = false;
    video.loop = false;
    if (!video.getAttribute("src") && this.cue.media) video.src = this.cue.media.url;
    this.third = this.makeThird();
    this.el.append(video, this.third);
    this.useMedia(video);
  }

  makeThird() {
    return lowerThird(this.cue.title, creditsLine(this.cue.credits));
  }

  tick(pos) {
    this.third.classList.toggle("shown", pos != null && pos >= LOWER_THIRD[0]
                                          && pos < LOWER_THIRD[1]);
  }
}
