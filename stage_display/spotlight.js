// The wall's spotlight: the featured work, big, dissolving in over the one before. A
// featured sound plays (and again after a pause) at the layer's volume.

import { clamp } from "./fit.js";
import { Ramp } from "./fade.js";
import { AUTOPLAY_PROBLEM } from "./media-sync.js";
import { spotlight } from "./tiles.js";

const FADE_MS = 900;          // display.css agrees
const AUDIO_GAP_MS = 3000;    // the featured sound plays again after this pause

export class Spotlight {
  /** level(): the layer's volume (its fade times the master); onFailed(item): no picture. */
  constructor(box, { level, problem, onFailed }) {
    this.box = box;
    this.level = level;
    this.problem = problem;
    this.onFailed = onFailed;
    this.current = null;
    this.id = null;
    this.sounds = new Set();
    this.blocked = null;
    this.stopped = false;
  }

  set(item) {
    const id = item ? item.id : null;
    if (id === this.id) return;
    this.id = id;
    const old = this.current;
    this.current = null;
    if (old) {
      old.el.classList.add("out");
      if (old.sound) this.silence(old.sound);
      setTimeout(() => old.el.remove(), FADE_MS + 100);
    }
    if (!item) return;
    const s = spotlight(item);
    this.current = s;
    this.box.append(s.el);
    if (this.box.isConnected) s.fit();
    s.ready.then((ok) => {
      if (this.current !== s) return;
      if (!ok) {
        s.el.remove();
        this.current = null;
        this.id = null;
        this.onFailed(item);
        return;
      }
      s.fit();                      // now the picture's own size is known, too
      void s.el.offsetWidth;        // commit the start of the dissolve
      s.el.classList.add("in");
      if (s.audio) this.play(s);
    });
  }

  fit() {
    if (this.current) this.current.fit();
  }

  play(s) {
    const sound = { audio: s.audio, gain: new Ramp(1, () => this.applyVolume()), timer: null };
    s.sound = sound;
    this.sounds.add(sound);
    this.applyVolume();
    const start = () => {
      if (this.stopped || this.current !== s) return;
      sound.audio.currentTime = 0;
      sound.audio.play().then(() => {
        if (this.blocked) { this.blocked = null; this.problem("autoplay", null); }
      }, (err) => {
        if (err && err.name === "NotAllowedError") {
          this.blocked = start;
          this.problem("autoplay", AUTOPLAY_PROBLEM);
        }
      });
    };
    sound.audio.addEventListener("ended", () => { sound.timer = setTimeout(start, AUDIO_GAP_MS); });
    start();
  }

  silence(sound, ms = FADE_MS) {
    clearTimeout(sound.timer);
    sound.gain.to(0, ms);
    setTimeout(() => this.release(sound), ms + 50);
  }

  release(sound) {
    clearTimeout(sound.timer);
    sound.gain.cancel();
    sound.audio.pause();
    sound.audio.removeAttribute("src");
    sound.audio.load();
    this.sounds.delete(sound);
  }

  applyVolume() {
    const level = this.level();
    this.sounds.forEach((s) => { s.audio.volume = clamp(s.gain.value * level, 0, 1); });
  }

  /** Someone clicked the projector page: sound is allowed now. */
  unblock() {
    if (this.blocked) this.blocked();
  }

  stop() {
    this.stopped = true;
    if (this.blocked) this.problem("autoplay", null);
  }

  dispose() {
    this.stopped = true;
    [...this.sounds].forEach((s) => this.release(s));
  }
}
