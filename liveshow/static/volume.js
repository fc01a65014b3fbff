// The master volume: a slider beside the show controls. Every display plays at it (a cue's
// own level on top); the server keeps it with the show state, so it survives reloads.
import { h, setText } from "./shared/dom.js";
import { reportAck } from "./toast.js";

const SEND_EVERY_MS = 100;   // while dragging: often enough to hear, not a flood

export class MasterVolume {
  constructor(parent, connection) {
    this.connection = connection;
    this.dragging = false;
    this.timer = null;
    this.input = h("input", {
      id: "master-volume", type: "range", min: "0", max: "100", step: "1", value: "100",
      "aria-label": "Master volume",
      oninput: () => this.changed(false),
      onchange: () => this.changed(true),
      onpointerdown: () => { this.dragging = true; },
      onpointerup: () => { this.dragging = false; },
    });
    this.label = h("output", { class: "master-volume-value", for: "master-volume", text: "100%" });
    parent.append(h("label", { class: "master-volume", title: "Master volume (every display)" },
      h("span", { text: "Volume " }), this.input, this.label));
  }

  changed(final) {
    setText(this.label, `${this.input.value}%`);
    clearTimeout(this.timer);
    if (final) this.send();
    else this.timer = setTimeout(() => this.send(), SEND_EVERY_MS);
  }

  async send() {
    const level = Number(this.input.value) / 100;
    return reportAck(await this.connection.request("volume", { level }), "Volume");
  }

  render(state) {
    if (this.dragging || document.activeElement === this.input) return;
    const percent = Math.round((typeof state.volume === "number" ? state.volume : 1) * 100);
    if (Number(this.input.value) !== percent) this.input.value = String(percent);
    setText(this.label, `${percent}%`);
  }
}
