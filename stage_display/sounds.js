// The sound wall's approved sounds, heard: one tile at a time plays its sound, in turn, while
// no featured sound holds the spotlight (two sounds at once would be noise). The tile playing
// glows. And each sound tile's waveform is drawn from the sound itself, so the same recording
// always draws the same bars.

import { clamp } from "./fit.js";
import { AUTOPLAY_PROBLEM } from "./media-sync.js";
import { mediaUrl } from "/static/shared/media.js";

const GAP_MS = 1500;          // silence between two sounds
const IDLE_MS = 1000;         // with nothing to play, look again this often
const peaks = new Map();      // media URL -> Promise of bar levels (0..1)

/** Bar levels of a sound (the loudest sample in each of `bars` equal stretches, relative to
 *  the loudest of all), or null when it cannot be decoded. Cached per URL. */
export function soundLevels(url, bars) {
  const src = mediaUrl(url);
  if (!src) return Promise.resolve(null);
  const key = `${src}#${bars}`;
  if (!peaks.has(key)) {
    peaks.set(key, fetch(src)
      .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`HTTP ${r.status}`))))
      // an offline context decodes without a user gesture and never makes a sound
      .then((bytes) => new OfflineAudioContext(1, 1, 44100).decodeAudioData(bytes))
      .then((audio) => {
        const data = audio.getChannelData(0);
        const size = Math.max(1, Math.floor(data.length / bars));
        const levels = Array.from({ length: bars }, (_, i) => {
          let peak = 0;
          for (let j = i * size; j < Math.min(data.length, (i + 1) * size); j++) {
            const v = Math.abs(data[j]);
            if (v > peak) peak = v;
          }
          return peak;
        });
        const top = Math.max(...levels) || 1;
        return levels.map((v) => Math.round((v / top) * 100) / 100);
      })
      .catch(() => null));
  }
  return peaks.get(key);
}

export class WallSounds {
  /** tiles(): the sound tiles on the wall now, in order; busy(): a featured sound plays;
   *  level(): the layer's volume (its fade times the master). */
  constructor({ tiles, busy, level, problem }) {
    this.tiles = tiles;
    this.busy = busy;
    this.level = level;
    this.problem = problem;
    this.lastId = null;
    this.playing = null;      // {tile, audio}
    this.timer = null;
    this.blocked = false;
    this.stopped = false;
    this.schedule(0);
  }

  schedule(ms) {
    clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => this.next(), ms);
  }

  next() {
    if (this.stopped || this.playing || this.blocked) return;
    const tiles = this.tiles().filter((t) => t.item.media && mediaUrl(t.item.media.url));
    if (!tiles.length || this.busy()) return this.schedule(IDLE_MS);
    const after = tiles.findIndex((t) => t.item.id === this.lastId);
    const tile = tiles[(after + 1) % tiles.length];
    this.lastId = tile.item.id;
    const audio = document.createElement("audio");
    audio.src = tile.item.media.url;
    audio.className = "tile-sound";
    tile.el.append(audio);
    tile.el.classList.add("playing");
    this.playing = { tile, audio };
    this.applyVolume();
    const done = () => this.finish(audio);
    audio.addEventListener("ended", done);
    audio.addEventListener("error", done);
    audio.play().then(() => {
      this.problem("autoplay", null);
    }, (err) => {
      if (err && err.name === "NotAllowedError") {
        this.blocked = true;
        this.problem("autoplay", AUTOPLAY_PROBLEM);
      }
      this.finish(audio, false);
    });
  }

  finish(audio, carryOn = true) {
    if (!this.playing || this.playing.audio !== audio) return;
    this.playing.tile.el.classList.remove("playing");
    audio.pause();
    audio.remove();
    this.playing = null;
    if (carryOn) this.schedule(GAP_MS);
  }

  /** A featured sound took the spotlight, or a tile left the wall: stop what plays now. */
  check() {
    if (!this.playing) return;
    const still = this.tiles().some((t) => t === this.playing.tile);
    if (!still || this.busy()) this.finish(this.playing.audio);
  }

  applyVolume() {
    if (this.playing) this.playing.audio.volume = clamp(this.level(), 0, 1);
  }

  /** Someone clicked the projector page: sound is allowed now. */
  unblock() {
    if (!this.blocked) return;
    this.blocked = false;
    this.schedule(0);
  }

  /** The wall is leaving: no new sound starts; the one playing fades with the layer. */
  windDown() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.playing) this.finish(this.playing.audio, false);
  }
}
