// A poll cue: live results of a vote. Bars glide to their new length as votes arrive, the
// numbers count up, the leader is lit. Updates happen in place: no restart, no flash.

import { h } from "/static/shared/dom.js";
import { clamp, fitText, vh } from "./fit.js";
import { Layer } from "./layer.js";
import { inviteLine } from "./qr.js";

const COUNT_MS = 900;     // numbers count up to a new value over this long

/** Whole percentages that add up to 100 (largest remainders get the rounding). */
export function percentages(votes, total) {
  if (!total) return votes.map(() => 0);
  const exact = votes.map((v) => (v * 100) / total);
  const out = exact.map(Math.floor);
  let left = 100 - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i]).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    if (votes[i] > 0) { out[i] += 1; left -= 1; }
  }
  return out;
}

const ease = (k) => 1 - (1 - k) ** 3;

/** A number that counts to its target in tick(). */
class Counter {
  constructor(el, format = (n) => String(n)) {
    this.el = el;
    this.format = format;
    this.from = 0;
    this.to = 0;
    this.value = null;
    this.t0 = 0;
  }

  set(n, instant) {
    if (this.value != null && n === this.to) return;
    this.from = instant || this.value == null ? n : this.value;
    this.to = n;
    this.t0 = performance.now();
    this.tick();
  }

  tick() {
    const k = clamp((performance.now() - this.t0) / COUNT_MS, 0, 1);
    const v = Math.round(this.from + (this.to - this.from) * ease(k));
    if (v !== this.value) {
      this.value = v;
      this.el.textContent = this.format(v);
    }
  }
}

export class PollLayer extends Layer {
  build() {
    const options = (this.cue.poll && this.cue.poll.options) || [];
    this.rows = options.map((o, i) => this.row(o.option, i));
    this.totalCount = new Counter(h("span", { class: "poll-total-n" }));
    this.totalWord = h("span", { class: "poll-total-word" });
    this.invite = inviteLine("Vote at");
    this.head = h("div", { class: "poll-head" },
      h("h1", { class: "poll-question", text: this.cue.question || this.cue.title || "" }));
    this.el.append(h("div", { class: "poll" },
      this.head,
      h("p", { class: "poll-total" }, this.totalCount.el, this.totalWord),
      this.bars = h("ol", { class: "poll-bars", style: `--n: ${Math.max(2, this.rows.length)}` },
        ...this.rows.map((r) => r.el))),
    this.invite.el);
    this.apply(true);
  }

  row(option, index) {
    const fill = h("div", { class: "poll-fill" });
    const pct = new Counter(h("span", { class: "poll-pct" }), (n) => `${n}%`);
    const votes = new Counter(h("span", { class: "poll-votes" }),
                              (n) => (n === 1 ? "1 vote" : `${n} votes`));
    const el = h("li", { class: "poll-row" },
      h("span", { class: "poll-label", text: option }),
      h("div", { class: "poll-track" }, fill),
      h("span", { class: "poll-figures" }, pct.el, votes.el));
    el.dataset.option = option;
    el.dataset.index = String(index);
    return { el, fill, pct, votes };
  }

  update(cue) {
    super.update(cue);
    const names = ((cue.poll && cue.poll.options) || []).map((o) => o.option);
    if (JSON.stringify(names) !== JSON.stringify(this.rows.map((r) => r.el.dataset.option))) {
      this.rows = names.map((name, i) => this.row(name, i));      // the options were edited
      this.bars.replaceChildren(...this.rows.map((r) => r.el));
      this.bars.style.setProperty("--n", Math.max(2, this.rows.length));
    }
    this.apply(false);
  }

  apply(instant) {
    const poll = this.cue.poll || { options: [], total: 0 };
    const votes = this.rows.map((r) => {
      const found = poll.options.find((o) => o.option === r.el.dataset.option);
      return found ? found.votes : 0;
    });
    const total = poll.total || votes.reduce((a, b) => a + b, 0);
    const pcts = percentages(votes, total);
    const top = Math.max(0, ...votes);
    this.rows.forEach((r, i) => {
      r.el.dataset.votes = String(votes[i]);
      r.fill.style.transform = `scaleX(${total ? votes[i] / total : 0})`;
      r.el.classList.toggle("leader", top > 0 && votes[i] === top);
      r.pct.set(pcts[i], instant);
      r.votes.set(votes[i], instant);
    });
    this.el.dataset.total = String(total);
    this.totalCount.set(total, instant);
    this.totalWord.textContent = total === 1 ? " vote" : " votes";
    this.invite.set(this.ctx.state(), this.cue);
  }

  layout() {
    fitText(this.head, this.head.firstChild, vh(7), vh(3.2));
  }

  tick() {
    this.totalCount.tick();
    this.rows.forEach((r) => { r.pct.tick(); r.votes.tick(); });
  }
}
