// How each camera cue of a camera comes on (OBS's transition picker): Cut, or Fade over so
// many seconds, from the picture before into the camera's. Any mode: it is the cue's own
// `transition` and `fade_in`, changed with the `camera_transition` event; the next GO into
// that cue uses it. A seconds value is checked as it is typed, as the cue editor checks its
// fields before it sends: a wrong one is said beside the field and never saved (an
// unreadable entry, which a number field reads as empty, was saved as a 0 s fade).
import { clear, h, setText } from "./shared/dom.js";
import { reportAck } from "./toast.js";

const MAX_FADE = 30;

export class CameraTransitions {
  constructor(card) {
    this.card = card;
    this.cues = [];
    this.list = h("ul", { class: "cam-trans-list" });
    this.box = h("div", { class: "cam-trans", hidden: true },
      h("span", { class: "cam-trans-title", text: "Into the camera" }), this.list);
    this.box.addEventListener("change", (e) => {
      const row = e.target.closest("li[data-cue]");
      if (row) this.send(row);
    });
    this.box.addEventListener("input", (e) => {
      const row = e.target.closest("li[data-cue]");
      if (row) check(row);
    });
  }

  /** The camera cues showing this camera, from the crew's state. */
  update(cues) {
    const mine = cues.filter((c) => c && c.kind === "camera" && c.camera === this.card.name && typeof c.id === "string");
    const sig = JSON.stringify(mine.map((c) => [c.id, c.title, c.transition, c.fade_in]));
    // never rebuilt under the crew's hands (a later state will)
    if (sig === this.sig || this.list.contains(document.activeElement)) return;
    this.sig = sig;
    clear(this.list);
    for (const cue of mine) {
      const kind = h("select", { class: "cam-trans-kind", "aria-label": `Transition into ${cue.title || cue.id}` },
        h("option", { value: "fade", text: "Fade" }), h("option", { value: "cut", text: "Cut" }));
      kind.value = cue.transition === "cut" ? "cut" : "fade";
      const seconds = h("input", { type: "number", class: "cam-trans-seconds", min: "0", max: String(MAX_FADE),
        step: "0.1", value: String(Number(cue.fade_in) || 0), "aria-label": `Fade seconds into ${cue.title || cue.id}`,
        disabled: kind.value === "cut" });
      this.list.append(h("li", { dataset: { cue: cue.id } },
        h("span", { class: "cam-trans-cue", text: cue.title || cue.id, title: `cue ${cue.id}` }),
        kind, seconds, h("span", { class: "cam-trans-unit", text: "s" }),
        h("span", { class: "cam-trans-error", role: "alert" })));
    }
    this.box.hidden = mine.length === 0;
  }

  async send(row) {
    const kind = row.querySelector(".cam-trans-kind");
    row.querySelector(".cam-trans-seconds").disabled = kind.value === "cut";
    const value = check(row);
    if (value === null) return;                  // said beside the field; nothing is saved
    const ack = await this.card.owner.connection.request("camera_transition",
      { cue: row.dataset.cue, transition: kind.value, seconds: value });
    reportAck(ack, `Transition into ${row.querySelector(".cam-trans-cue").textContent}`);
    if (ack.ok) setText(row.querySelector(".cam-trans-unit"), "s ✓");
  }
}

/** The row's fade in seconds (0 for a cut), or null with the reason said beside the field. */
function check(row) {
  const cut = row.querySelector(".cam-trans-kind").value === "cut";
  const seconds = row.querySelector(".cam-trans-seconds");
  const raw = seconds.value.trim();
  const value = Number(raw);
  const ok = cut || (!seconds.validity.badInput && raw !== "" && Number.isFinite(value)
                     && value >= 0 && value <= MAX_FADE);
  seconds.setAttribute("aria-invalid", String(!ok));
  setText(row.querySelector(".cam-trans-error"), ok ? "" : `A fade is 0 to ${MAX_FADE} seconds: not saved`);
  if (ok) return cut ? 0 : value;
  setText(row.querySelector(".cam-trans-unit"), "s");
  return null;
}
