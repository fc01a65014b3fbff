// Reactions from the room (applause, hearts) float up the side of the projector, Slido-style.
// The server sends them in batches of counts; a big batch shows a handful, not hundreds, so
// the picture stays the show.

import { h } from "/static/shared/dom.js";
import { REACTIONS, reactionIcon } from "/static/shared/reaction-icons.js";

const SHOWN_PER_KIND = 6;       // at most this many of one kind per batch
const RISE_MS = 4200;           // display.css agrees (the float animation)

export class Reactions {
  constructor(root) {
    this.root = root;
  }

  add(batch) {
    if (!batch || typeof batch !== "object") return;
    for (const [kind, count] of Object.entries(batch)) {
      const n = Math.min(SHOWN_PER_KIND, Math.max(0, Math.floor(Number(count) || 0)));
      if (!REACTIONS.includes(kind)) continue;
      for (let i = 0; i < n; i++) this.float(kind, i * 180);
    }
  }

  float(kind, delay) {
    const el = h("span", { class: "reaction", "aria-hidden": "true" }, reactionIcon(kind));
    el.dataset.kind = kind;
    el.style.setProperty("--x", `${Math.round(Math.random() * 100)}%`);
    el.style.setProperty("--drift", `${Math.round((Math.random() - 0.5) * 6)}vw`);
    el.style.animationDelay = `${delay}ms`;
    this.root.append(el);
    setTimeout(() => el.remove(), RISE_MS + delay + 200);
  }
}
