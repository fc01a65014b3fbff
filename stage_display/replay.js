// A replay cue: a take from the stage cameras, played like a record video (on the show
// clock, so it starts in step and resumes after a reload), with a lower third naming the
// performer and camera and crediting the audience whose work was the background.

import { h } from "/static/shared/dom.js";
import { creditsLine } from "./credits.js";
import { VideoLayer, lowerThird } from "./layer.js";

function creditsKey(cue) {
  const t = cue.take || {};
  return JSON.stringify([cue.title, cue.credits, t.performer, t.operator, t.camera, t.parents]);
}

export class ReplayLayer extends VideoLayer {
  build() {
    if (this.cue.take && this.cue.media) return super.build();
    const from = this.cue.camera ? ` from camera ${this.cue.camera}` : "";
    this.ctx.problem("take", `replay cue ${this.cue.id}: no take to show${from}`);
    return undefined;                       // black
  }

  makeThird() {
    this.thirdKey = creditsKey(this.cue);
    const take = this.cue.take;
    const credits = [];
    if (take.performer) credits.push({ role: "performer", name: take.performer });
    // the machine's name is not a person: credited only when an operator was entered
    if (take.operator) credits.push({ role: "camera", name: take.operator });
    credits.push(...(this.cue.credits || []));
    const handles = [...new Set((take.parents || []).map((p) => p.handle).filter(Boolean))];
    const backgrounds = handles.length
      ? h("p", { class: "credits-line lt-backgrounds" },
        h("span", { class: "role",
                    text: handles.length === 1 ? "background by" : "backgrounds by" }),
        " ",
        ...handles.flatMap((name, i) => [
          i ? h("span", { class: "sep", text: " · " }) : null,
          h("span", { class: "name", text: name })]))
      : null;
    return lowerThird(this.cue.title || "Take", creditsLine(credits), backgrounds);
  }

  update(cue) {
    super.update(cue);
    if (!this.third || creditsKey(cue) === this.thirdKey) return;
    const third = this.makeThird();           // the take's credits may have been filled in
    third.className = this.third.className;
    this.third.replaceWith(third);
    this.third = third;
  }

  tick(pos) {
    if (this.third) super.tick(pos);
  }
}
