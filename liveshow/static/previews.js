// Camera previews: the agents send ~10 JPEGs a second per camera (binary `preview` events).
// Only the newest frame per camera is kept; a tile on screen shows it at most once per
// animation frame (a hidden tab or a hidden view decodes nothing). Each frame is decoded
// off-screen first and only then swapped in, so a bad frame never shows a broken image, and
// the object URL of the frame it replaces is revoked (no leak over a three-hour show).

export const STALE_MS = 3000;        // no frame for this long: "no picture"

function toBlob(data) {
  if (data instanceof Blob) return data.size ? data : null;
  if (data instanceof ArrayBuffer) return data.byteLength ? new Blob([data], { type: "image/jpeg" }) : null;
  if (ArrayBuffer.isView(data)) return data.byteLength ? new Blob([data], { type: "image/jpeg" }) : null;
  return null;
}

/** One place a camera's picture is shown: an <img> and a "no picture" cover over it. */
class PreviewTile {
  constructor(feeds, camera, img, onStale) {
    this.feeds = feeds;
    this.camera = camera;
    this.img = img;
    this.onStale = onStale;
    this.url = null;          // object URL the <img> shows now
    this.shownSeq = 0;
    this.busy = false;
    this.stale = null;
    this.setStale(true);
  }

  get visible() {
    return this.img.isConnected && this.img.parentElement.offsetParent !== null;
  }

  async show(feed) {
    this.busy = true;
    const url = URL.createObjectURL(feed.blob);
    try {
      const probe = new Image();
      probe.src = url;
      await probe.decode();                // throws for a corrupt or truncated JPEG
      if (!this.img.isConnected || this.feeds.down.has(this.camera)) throw new Error("gone");
      this.img.src = url;                  // decoded already: shows at once
      const old = this.url;
      this.url = url;
      if (old) URL.revokeObjectURL(old);
      this.setStale(false);
    } catch (_) {
      URL.revokeObjectURL(url);            // skip this frame, keep the last good one
    } finally {
      this.shownSeq = feed.seq;
      this.busy = false;
    }
  }

  setStale(stale) {
    if (stale === this.stale) return;
    this.stale = stale;
    this.img.hidden = stale;
    if (stale) {
      this.img.removeAttribute("src");
      if (this.url) URL.revokeObjectURL(this.url);
      this.url = null;
    }
    this.onStale(stale);
  }

  release() {
    this.setStale(true);
  }
}

export class Previews {
  constructor() {
    this.latest = new Map();     // camera -> {blob, seq, at (performance.now())}
    this.tiles = new Set();
    this.down = new Set();       // cameras known to be disconnected: no picture at once
    this.frame = 0;
    this.seq = 0;
    setInterval(() => this.checkStale(), 250);
    document.addEventListener("visibilitychange", () => this.schedule());
  }

  /** The `preview {camera, jpeg}` event. */
  onPreview(data) {
    if (!data || typeof data !== "object" || typeof data.camera !== "string") return;
    const blob = toBlob(data.jpeg);
    if (!blob) return;
    this.seq += 1;         // one counter for every camera: a frame's number is never reused
    this.latest.set(data.camera, { blob, seq: this.seq, at: performance.now() });
    this.schedule();
  }

  /** Show `camera` in `img`; `onStale(bool)` says when there is no picture. */
  attach(camera, img, onStale) {
    const tile = new PreviewTile(this, camera, img, onStale);
    this.tiles.add(tile);
    this.schedule();
    return tile;
  }

  detach(tile) {
    if (!tile) return;
    tile.release();
    this.tiles.delete(tile);
  }

  /** A disconnected camera shows "no picture" at once, not 3 s later. */
  setDown(camera, down) {
    if (down === this.down.has(camera)) return;
    if (down) {
      this.down.add(camera);
      this.latest.delete(camera);
    } else {
      this.down.delete(camera);
    }
    this.checkStale();
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.pump());
  }

  pump() {
    this.frame = 0;
    const now = performance.now();
    for (const tile of this.tiles) {
      if (tile.busy) continue;
      const feed = this.latest.get(tile.camera);
      if (!feed || feed.seq === tile.shownSeq || now - feed.at > STALE_MS || !tile.visible) continue;
      tile.show(feed).then(() => {
        const newest = this.latest.get(tile.camera);
        if (newest && newest.seq !== tile.shownSeq) this.schedule();
      });
    }
  }

  checkStale() {
    const now = performance.now();
    for (const tile of this.tiles) {
      const feed = this.latest.get(tile.camera);
      const stale = this.down.has(tile.camera) || !feed || now - feed.at > STALE_MS;
      if (stale) tile.setStale(true);
    }
    this.schedule();     // a tile that just became visible catches up
  }
}
