// The end credits: every work that screened tonight, with who made it, then everyone in the
// audience whose work was shown ("Made tonight by"), rolling up the screen.
// The roll's position comes from the show clock, so every display rolls in step and a
// reloaded display picks up where the roll is.

import { h } from "/static/shared/dom.js";

const PX_PER_SECOND_1080 = 40;     // the default pace, for a 1080-line picture

export class CreditsRoll {
  constructor(cue, show) {
    this.cue = cue;
    this.content = h("div", { class: "roll" },
      h("h1", { class: "roll-heading", text: cue.title || "Credits" }),
      ...(cue.roll || []).map(work),
      this.audience = h("section", { class: "roll-audience" }),
      this.endCard = h("p", { class: "roll-end", text: (show && show.title) || "" }));
    this.el = h("div", { class: "roll-viewport" }, this.content);
    this.speed = null;
    this.handles = "";
    this.setAudience(cue.audience);
  }

  /** The audience credit; handles approved during the roll join it. */
  setAudience(audience) {
    const handles = (audience || []).map((a) => a.handle).filter(Boolean);
    const key = JSON.stringify(handles);
    if (key === this.handles) return;
    this.handles = key;
    this.audience.replaceChildren();
    this.audience.hidden = !handles.length;
    if (!handles.length) return;
    this.audience.append(
      h("h2", { class: "roll-audience-title", text: "Made tonight by" }),
      h("ul", { class: "roll-handles" }, ...handles.map((name) => h("li", { text: name }))));
    if (this.speed != null) this.layout();
  }

  layout() {
    const height = this.el.clientHeight;
    if (!height) return;
    // The roll starts just below the picture and stops with its last card in the middle.
    this.start = height;
    this.end = height / 2 - (this.endCard.offsetTop + this.endCard.offsetHeight / 2);
    const travel = this.start - this.end;
    const duration = Number(this.cue.duration) || 0;
    if (duration > 0) {
      const rolling = Math.max(1, duration - Math.min(4, duration * 0.2));  // then hold the end
      this.speed = travel / rolling;
    } else {
      this.speed = (PX_PER_SECOND_1080 * height) / 1080;
    }
  }

  tick(pos) {
    if (this.speed == null) this.layout();
    if (this.speed == null || pos == null) return;
    const y = Math.max(this.end, this.start - pos * this.speed);
    this.content.style.transform = `translate3d(0, ${y.toFixed(2)}px, 0)`;
  }
}

function work(item) {
  return h("section", { class: "roll-work" },
    h("h2", { class: "roll-title", text: item.title || "" }),
    ...(item.credits || []).map((c) => h("p", { class: "roll-credit" },
      h("span", { class: "role", text: c.role || "" }),
      h("span", { class: "dash", text: " — " }),
      h("span", { class: "name", text: c.name || "" }))));
}
