// Keeps one <video>/<audio> in step with the server clock.
//
// target() says where the show is: {position (s), playing}. Large drift is fixed with a
// seek; small drift with a gentle playbackRate nudge, which the audience cannot see or hear.
// A (re)start seeks a little ahead of the show, waits until the show reaches that frame, and
// only then plays, so a display that reloads mid-video comes back on the right frame.

import { once, sleep } from "/static/shared/dom.js";
import { clamp } from "./fit.js";

const SEEK_DRIFT = 0.5;           // s: beyond this, seek
const SEEK_DRIFT_SETTLING = 0.1;  // s: just after a start nobody is watching closely yet
const NUDGE_DRIFT = 0.04;         // s: beyond this, nudge the rate
const NUDGE_DRIFT_SETTLING = 0.025;
const IN_STEP = 0.012;            // s: a nudge stops here
const MAX_NUDGE = 0.03;           // rate stays within 0.97..1.03
const MAX_NUDGE_SETTLING = 0.1;   // …but may reach 0.9..1.1 in the seconds after a (re)start
const SETTLE_MS = 3000;
const END_SLACK = 0.05;

// How long play() takes before the picture really moves (audio output starting, decoder
// warming up). Learnt on every start and remembered across reloads, so a display that comes
// back mid-video presses play that much early and lands on the show's frame.
const LATENCY_KEY = "liveshow.startLatency";
let startLatency = clamp(Number(localStorage.getItem(LATENCY_KEY)) || 0.08, 0, 0.4);

function learnStartLatency(measured) {
  startLatency = clamp(startLatency * 0.4 + measured * 0.6, 0, 0.4);
  try { localStorage.setItem(LATENCY_KEY, startLatency.toFixed(4)); } catch { /* private mode */ }
}

export const AUTOPLAY_PROBLEM =
  "autoplay with sound blocked: launch chromium with --autoplay-policy=no-user-gesture-required";

export class MediaSync {
  constructor(el, { target, onProblem = () => {}, onBlocked = () => {}, onAligned = () => {},
                    hidden = false }) {
    this.el = el;
    this.hidden = hidden;          // the layer waits, unseen, for the first start in step
    this.onAligned = onAligned;
    this.target = target;
    this.onProblem = onProblem;
    this.onBlocked = onBlocked;
    this.starting = false;
    this.stopped = false;
    this.blocked = false;
    this.nudging = false;
    this.seekLead = 0.05;          // learnt: how far the show moves on while a seek completes
    this.learnLead = false;
    this.settleUntil = 0;
    this.onError = () => {
      const err = el.error;
      onProblem(`media failed to play (${err ? `code ${err.code}` : "error"}): ${el.currentSrc}`);
    };
    el.addEventListener("error", this.onError);
    el.addEventListener("loadedmetadata", () => this.check());
    el.addEventListener("canplay", () => this.check());
  }

  stop() {
    this.stopped = true;
    this.hidden = false;
    this.el.removeEventListener("error", this.onError);
  }

  check() {
    const el = this.el;
    if (this.stopped || this.starting || el.readyState < 1) return;
    const t = this.target();
    if (!t || t.position == null) return;
    const duration = Number.isFinite(el.duration) ? el.duration : null;
    if (duration != null && t.position >= duration - END_SLACK) return this.holdEnd(duration);
    if (!t.playing) return this.holdAt(t.position);
    if (el.paused || el.ended) return void this.start();
    if (el.seeking) return;
    const drift = el.currentTime - t.position;
    if (this.learnLead) {          // first look after a correcting seek: learn its cost
      this.learnLead = false;
      this.seekLead = clamp(this.seekLead - drift, 0, 0.5);
    }
    const settling = performance.now() < this.settleUntil;
    if (Math.abs(drift) > (settling ? SEEK_DRIFT_SETTLING : SEEK_DRIFT)) {
      this.setRate(1);
      el.currentTime = t.position + this.seekLead;
      this.learnLead = true;
      return;
    }
    if (Math.abs(drift) > (settling ? NUDGE_DRIFT_SETTLING : NUDGE_DRIFT)) this.nudging = true;
    if (!this.nudging) return;
    if (Math.abs(drift) < IN_STEP) {
      this.nudging = false;
      this.setRate(1);
    } else if (settling) {
      this.setRate(1 - clamp(drift * 1.5, -MAX_NUDGE_SETTLING, MAX_NUDGE_SETTLING));
    } else {
      this.setRate(1 - clamp(drift * 0.6, -MAX_NUDGE, MAX_NUDGE));
    }
  }

  setRate(rate) {
    if (Math.abs(this.el.playbackRate - rate) > 1e-4) this.el.playbackRate = rate;
  }

  holdAt(position) {
    const el = this.el;
    if (!el.seeking) this.reveal();
    if (!el.paused) el.pause();
    this.setRate(1);
    this.nudging = false;
    if (!el.seeking && Math.abs(el.currentTime - position) > 0.03) el.currentTime = position;
  }

  holdEnd(duration) {
    // The show is past the end: hold the last frame, never loop.
    const el = this.el;
    this.reveal();
    this.setRate(1);
    if (!el.paused && !el.ended && duration - el.currentTime < 0.6) return;   // let it play out
    if (!el.paused) el.pause();
    const last = Math.max(0, duration - 0.02);
    if (!el.seeking && Math.abs(el.currentTime - last) > 0.05) el.currentTime = last;
  }

  /**
   * Start playing in step with the show. While the layer is still hidden (`hidden`, a display
   * joining mid-cue), a start that lands off the beat is done again before anyone sees it.
   */
  async start() {
    this.starting = true;
    try {
      for (let attempt = 0; attempt < 3 && !this.stopped; attempt++) {
        const drift = await this.startOnce(attempt > 0);
        if (drift == null || !this.hidden || Math.abs(drift) <= NUDGE_DRIFT) break;
        this.el.pause();
      }
      this.settleUntil = performance.now() + SETTLE_MS;
    } finally {
      this.starting = false;
      this.reveal();
    }
  }

  reveal() {
    if (!this.hidden) return;
    this.hidden = false;
    this.onAligned();
  }

  /** One timed start; the drift once the picture moves (null if it could not start). */
  async startOnce(again) {
    await this.cueUp(again);
    const t = this.target();
    if (this.stopped || !t || !t.playing) return null;
    // How late the picture starts after play(): wall time gone by, less media time played.
    const from = this.el.currentTime;
    const t0 = performance.now();
    await this.play();
    await this.untilAdvancing();
    await sleep(100);
    const el = this.el;
    if (el.paused || el.seeking || this.stopped) return null;
    const lag = (performance.now() - t0) / 1000 - (el.currentTime - from);
    if (lag > -0.05 && lag < 1) learnStartLatency(Math.max(0, lag));
    const now = this.target();
    return now && now.position != null ? el.currentTime - now.position : null;
  }

  /**
   * Seek to where the show will be once we are ready, then wait until the show is there
   * (less the time play() takes to get going).
   */
  async cueUp(force = false) {
    const el = this.el;
    let lead = 0.3;
    for (let attempt = 0; attempt < 4 && !this.stopped; attempt++) {
      const t = this.target();
      if (!t || !t.playing) return;
      if (!force && attempt === 0 && Math.abs(el.currentTime - t.position) < 0.12) return;  // GO
      const goal = t.position + lead;
      const duration = Number.isFinite(el.duration) ? el.duration : Infinity;
      if (goal >= duration - END_SLACK) return;
      el.currentTime = goal;
      await once(el, "seeked", 3000);
      if (el.readyState < 3) await once(el, ["canplay", "canplaythrough"], 3000);
      const now = this.target();
      if (!now || now.position == null) return;
      const wait = goal - now.position - startLatency;
      if (wait >= 0) {
        if (wait > 0.003) await sleep(wait * 1000);
        return;
      }
      lead = lead * 2 - wait;      // the seek took longer than we allowed: aim further ahead
    }
  }

  /** play() resolves before the picture moves; drift means nothing until it does. */
  async untilAdvancing(ms = 1500) {
    const el = this.el;
    const from = el.currentTime;
    const until = performance.now() + ms;
    while (!this.stopped && !el.paused && el.currentTime === from && performance.now() < until) {
      await sleep(15);
    }
  }

  async play() {
    const el = this.el;
    try {
      await el.play();
    } catch (err) {
      if (err && err.name === "NotAllowedError" && !el.muted) {
        // The browser refuses sound without a gesture: keep time silently, show nothing.
        el.muted = true;
        this.blocked = true;
        this.onBlocked(true);
        try { await el.play(); } catch (e2) { this.onProblem(`could not play: ${e2.message}`); }
      } else if (!err || err.name !== "AbortError") {
        this.onProblem(`could not play: ${err ? err.message : "unknown error"}`);
      }
    }
  }

  /** A person clicked the page: sound is allowed now. */
  unblock() {
    if (!this.blocked) return;
    this.blocked = false;
    this.el.muted = false;
    this.onBlocked(false);
  }
}
