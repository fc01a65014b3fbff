// The key preview (OBS's studio mode, for the keyer): the camera agent keys its own frames
// with the card's settings over the picked pictures (or what the camera keys over now),
// beside the programme, never on the projector. While it is open the sliders, the colour
// and the picks tune the preview; "Put on air" sends them to the camera's programme key.
// The camera shows a green PREVIEW tally meanwhile. The keyed frames arrive as
// `key_preview` events and are shown like the live previews (previews.js).
import { h, setText } from "./shared/dom.js";
import { reportAck, toast } from "./toast.js";

const RENEW_MS = 200;          // settings: sent this long after the last change

export class KeyPreview {
  constructor(card) {
    this.card = card;
    this.on = false;
    this.timer = 0;
    this.sending = false;
    this.again = false;
    this.toggle = h("button", { type: "button", class: "btn btn-small cam-keyprev-toggle", "aria-pressed": "false",
      dataset: { action: "key-preview" },
      title: "Preview the key over the picked pictures without putting it on the projector" }, "Preview key");
    this.img = h("img", { class: "cam-keyprev-img", alt: `Key preview of ${card.name}`, hidden: true });
    this.nopic = h("div", { class: "cam-keyprev-wait" }, h("span", { class: "cam-nopic-text", text: "keying…" }));
    this.apply = h("button", { type: "button", class: "btn btn-small btn-accent cam-keyprev-apply",
      dataset: { action: "key-apply" }, title: "Key the camera's programme with these settings and pictures" },
    "Put on air");
    this.note = h("span", { class: "cam-keyprev-note" });
    this.box = h("div", { class: "cam-keyprev", hidden: true },
      h("div", { class: "cam-screen cam-keyprev-screen" }, this.img, this.nopic,
        h("div", { class: "cam-overlay" }, h("span", { class: "cam-preview-tag", text: "KEY PREVIEW · not on air" }))),
      h("div", { class: "cam-keyprev-foot" }, this.note, this.apply));
    this.tile = card.owner.keyPreviews.attach(card.name, this.img, (stale) => { this.nopic.hidden = !stale; });
  }

  /** The card's click handler passes these actions on. */
  onAction(action) {
    if (action === "key-preview") this.setOn(!this.on);
    else if (action === "key-apply") this.putOnAir();
  }

  async setOn(on) {
    if (!on) {
      this.on = false;
      this.render();
      const ack = await this.card.owner.connection.request("camera", { camera: this.card.name, action: "preview", on: false });
      reportAck(ack, `Key preview of ${this.card.name}`);
      return;
    }
    this.on = true;
    this.render();
    // It opens under the card's background picker, below the fold at 1440x900: bring it
    // into view, or the crew sees nothing happen but a small PREVIEW tally.
    this.box.scrollIntoView({ block: "nearest" });
    await this.send();
  }

  /** What the preview keys over: the picks, else whatever the camera keys over now. */
  pictures() {
    const ids = this.card.picks.filter((id) => this.card.owner.candidates.has(id));
    const period = Number(this.card.period.value);
    return ids.length ? { submissions: ids, period: Number.isFinite(period) && period >= 1 ? period : 8 } : {};
  }

  /** Settings or picks changed: the preview follows (debounced, one request at a time). */
  changed() {
    if (!this.on) return false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.send(), RENEW_MS);
    return true;
  }

  async send() {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    const ack = await this.card.owner.connection.request("camera", {
      camera: this.card.name, action: "preview", on: true, settings: this.card.keySettings(), ...this.pictures() });
    this.sending = false;
    if (!ack.ok) {
      reportAck(ack, `Key preview of ${this.card.name}`);
      if (!this.again) {
        this.on = false;
        this.render();
      }
    } else if (ack.jpeg) {
      this.card.owner.keyPreviews.onPreview({ camera: this.card.name, jpeg: ack.jpeg });
    }
    if (this.again) {
      this.again = false;
      this.send();
    }
  }

  /** The previewed settings (and picks) become the camera's programme key. */
  async putOnAir() {
    const picks = this.pictures();
    if (picks.submissions) {
      const ack = await this.card.command("background", picks, `Background for ${this.card.name}`);
      if (!ack.ok) return;
      this.card.applied = { ids: picks.submissions, period: picks.period };
    }
    await this.card.setKey(true);
    toast(`${this.card.name}: the previewed key is on the camera now.`, "ok");
    this.setOn(false);
  }

  render() {
    this.toggle.setAttribute("aria-pressed", this.on ? "true" : "false");
    this.box.hidden = !this.on;
    this.card.card.classList.toggle("key-previewing", this.on);
    const picks = this.pictures();
    setText(this.note, picks.submissions
      ? `over ${picks.submissions.length === 1 ? this.card.owner.describe(picks.submissions[0]) : `${picks.submissions.length} picked pictures`}`
      : "over what the camera keys over now");
  }

  release() {
    clearTimeout(this.timer);
    this.card.owner.keyPreviews.detach(this.tile);
  }
}
