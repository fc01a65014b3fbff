// A cloud cue: the room's short answers as a word cloud. The more people said a word, the
// bigger it is; words keep their place as the cloud grows (a new one joins at the end, a
// repeated one swells where it stands). Everything the audience wrote goes in as text.

import { h } from "/static/shared/dom.js";
import { fitText, vh } from "./fit.js";
import { Layer } from "./layer.js";
import { inviteLine } from "./qr.js";

const MIN_VH = 4;       // the least said word: still read from the back row (43 px at 1080p)
const MAX_VH = 14;      // the most said

/** A word's size: by its share of the most said word's count (square root: area ~ count). */
export function wordSize(count, most) {
  const k = most > 1 ? Math.sqrt((count - 1) / (most - 1)) : 1;
  return MIN_VH + (MAX_VH - MIN_VH) * (most > 1 ? k : 0.5);
}

export class CloudLayer extends Layer {
  build() {
    this.words = new Map();           // word -> its element
    this.question = h("h1", { class: "cloud-question",
                              text: this.cue.question || this.cue.title || "" });
    this.head = h("div", { class: "cloud-head" }, this.question);
    this.count = h("p", { class: "cloud-count" });
    this.box = h("div", { class: "cloud-box" });
    this.list = h("ul", { class: "cloud-words" });
    this.box.append(this.list);
    this.empty = h("p", { class: "cloud-empty", text: "The first answers appear here" });
    this.invite = inviteLine("Add yours at");
    this.el.append(h("div", { class: "cloud" }, this.head, this.count, this.box, this.empty),
      this.invite.el);
    this.apply();
  }

  update(cue) {
    super.update(cue);
    this.apply();
  }

  apply() {
    const cloud = this.cue.cloud || { words: [], answers: 0 };
    const words = Array.isArray(cloud.words) ? cloud.words : [];
    const most = Math.max(1, ...words.map((w) => Number(w.count) || 0));
    const keep = new Set(words.map((w) => String(w.word)));
    for (const [word, el] of this.words) {
      if (!keep.has(word)) { el.remove(); this.words.delete(word); }
    }
    for (const w of words) {
      const word = String(w.word);
      const count = Number(w.count) || 0;
      let el = this.words.get(word);
      if (!el) {
        el = h("li", { class: "cloud-word", text: word });
        el.dataset.word = word;
        this.words.set(word, el);
        this.list.append(el);
      }
      el.dataset.count = String(count);
      el.style.setProperty("--size", `${wordSize(count, most).toFixed(2)}vh`);
      el.classList.toggle("top", count === most && most > 1);
    }
    const n = Number(cloud.answers) || 0;
    this.count.textContent = n ? `${n} ${n === 1 ? "answer" : "answers"}` : "";
    this.empty.hidden = words.length > 0;
    this.invite.set(this.ctx.state(), this.cue);
    this.layout();
  }

  layout() {
    fitText(this.head, this.question, vh(7), vh(3.2));
    // Too many big words for the screen: shrink the whole cloud evenly until it fits.
    let scale = 1;
    this.list.style.setProperty("--scale", "1");
    for (let i = 0; i < 8 && this.box.clientHeight && this.list.scrollHeight > this.box.clientHeight; i++) {
      scale *= 0.85;
      this.list.style.setProperty("--scale", String(scale));
    }
  }
}
