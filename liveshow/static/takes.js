// The takes list: what the stage cameras recorded, newest first, with its provenance (the
// audience pictures that were behind the performer) and its credits, which the crew types in
// here (`take_credit`). A take plays in a small <video> above the list.
import { $, clear, h, setText } from "./shared/dom.js";
import { mediaUrl, safeImage } from "./shared/media.js";
import { clockTime, timeOfDay } from "./time.js";
import { reportAck, toast } from "./toast.js";

const CREDITS = [
  ["performer", "Performer", "who is on camera"],
  ["operator", "Camera", "who filmed"],
];
const PARENT_KIND = { photo: "photo", drawing: "drawing" };

function validTake(take) {
  return take && typeof take === "object" && typeof take.id === "string" && typeof take.camera === "string";
}

function seconds(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export class Takes {
  constructor({ connection }) {
    this.connection = connection;
    this.takes = [];
    this.rows = new Map();        // take id -> <li>
    this.saving = new Set();      // "id:field" being saved
    this.playing = null;          // {id, url}
    this.list = $("#takes-list");
    this.video = $("#take-video");
    this.player = $("#take-player");
    connection.on("takes", (data) => this.onTakes(data));
    this.list.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-play]");
      const row = e.target.closest(".take");
      if (button && row) this.play(row.dataset.id, button.dataset.play);
    });
    this.list.addEventListener("change", (e) => {
      const input = e.target.closest("input[data-credit]");
      const row = e.target.closest(".take");
      if (input && row) this.saveCredit(row.dataset.id, input);
    });
    this.list.addEventListener("keydown", (e) => {
      // Enter saves (the change event) and leaves the field, so Space is GO again.
      const input = e.target.closest("input[data-credit]");
      if (input && e.key === "Enter") input.blur();
    });
    $("#take-player-close").addEventListener("click", () => this.closePlayer());
    this.video.addEventListener("error", () => {
      if (this.playing) toast("This take does not play here (its file is missing or unreadable).", "error");
    });
  }

  onTakes(data) {
    if (!data || !Array.isArray(data.takes)) return;
    this.takes = data.takes.filter(validTake)
      .sort((a, b) => (seconds(b.created_at) || 0) - (seconds(a.created_at) || 0));
    this.render();
  }

  get(id) {
    return this.takes.find((t) => t.id === id) || null;
  }

  render() {
    const wanted = [];
    for (const take of this.takes) {
      let row = this.rows.get(take.id);
      if (!row) {
        row = this.makeRow(take);
        this.rows.set(take.id, row);
      }
      this.fillRow(row, take);
      wanted.push(row);
    }
    const keep = new Set(wanted);
    for (const [id, row] of this.rows) {
      if (!keep.has(row)) {
        row.remove();
        this.rows.delete(id);
      }
    }
    // newest first; rows are moved only when out of place (a focused credit field stays put)
    let node = this.list.firstElementChild;
    for (const row of wanted) {
      if (node === row) {
        node = node.nextElementSibling;
      } else {
        this.list.insertBefore(row, node);
      }
    }
    $("#takes-empty").hidden = this.takes.length > 0;
    setText($("#takes-count"), this.takes.length ? String(this.takes.length) : "");
    if (this.playing && !this.get(this.playing.id)) this.closePlayer();
  }

  makeRow(take) {
    const media = mediaUrl(take.media && take.media.url);
    const raw = mediaUrl(take.raw && take.raw.url);
    const thumbUrl = mediaUrl(take.thumb);
    const glyph = h("span", { class: "take-glyph", "aria-hidden": "true", text: "▶", hidden: Boolean(thumbUrl) });
    const label = `Play take ${take.id} from ${take.camera}`;
    const thumb = h("button", { type: "button", class: "take-thumb", dataset: { play: "media" },
      "aria-label": label, title: "Play this take here", disabled: !media },
    thumbUrl ? safeImage(thumbUrl, "", glyph) : null, glyph,
    h("span", { class: "take-thumb-play", "aria-hidden": "true", text: "▶" }));
    const credits = h("div", { class: "take-credits" },
      ...CREDITS.map(([field, text, hint]) => h("label", { class: "take-credit" },
        h("span", { class: "take-credit-label", text }),
        h("input", { type: "text", maxLength: 80, dataset: { credit: field }, placeholder: hint,
          autocomplete: "off", spellcheck: "false", "aria-label": `${text} for take ${take.id}` }))));
    const row = h("li", { class: "take", dataset: { id: take.id } },
      thumb,
      h("div", { class: "take-main" },
        h("div", { class: "take-meta" },
          h("span", { class: "take-camera", text: take.camera }),
          h("span", { class: "take-duration" }),
          h("time", { class: "take-time" }),
          h("span", { class: "take-keyed", text: "keyed", hidden: !(raw && media && raw !== media) })),
        h("div", { class: "take-parents" }),
        credits),
      h("div", { class: "take-actions" },
        h("button", { type: "button", class: "btn btn-small take-play", dataset: { play: "media" },
          disabled: !media, title: raw && raw !== media ? "Play the keyed composite" : "Play the take" }, "▶ Play"),
        raw && media && raw !== media
          ? h("button", { type: "button", class: "btn btn-small btn-quiet take-play-raw", dataset: { play: "raw" },
            title: "Play the camera's own picture, before keying" }, "Raw")
          : null));
    return row;
  }

  fillRow(row, take) {
    const duration = seconds(take.duration);
    setText(row.querySelector(".take-duration"), duration === null ? "–" : clockTime(duration));
    const created = seconds(take.created_at);
    const time = row.querySelector(".take-time");
    setText(time, created === null ? "" : timeOfDay(created));
    const parents = Array.isArray(take.parents) ? take.parents.filter((p) => p && typeof p === "object") : [];
    const sig = JSON.stringify(parents.map((p) => [p.submission, p.handle, p.kind, p.start_s, p.end_s]));
    const box = row.querySelector(".take-parents");
    if (box.dataset.sig !== sig) {
      box.dataset.sig = sig;
      clear(box);
      if (!parents.length) {
        box.append(h("span", { class: "take-parents-none", text: "No audience picture behind it" }));
      } else {
        box.append(h("span", { class: "take-parents-label", text: "Behind:" }));
        for (const p of parents) {
          const span = [seconds(p.start_s), seconds(p.end_s)];
          box.append(h("span", { class: "take-parent", dataset: { submission: String(p.submission || "") },
            title: span[0] === null ? "" : `on screen ${span[0].toFixed(1)}–${(span[1] ?? span[0]).toFixed(1)} s into the take` },
          h("span", { class: "take-parent-handle", text: p.handle || "someone" }),
          h("span", { class: "take-parent-kind", text: PARENT_KIND[p.kind] || String(p.kind || "") })));
        }
      }
    }
    for (const input of row.querySelectorAll("input[data-credit]")) {
      const field = input.dataset.credit;
      const value = typeof take[field] === "string" ? take[field] : "";
      input.dataset.server = value;
      // Never overwrite what the operator is typing, or a save on its way.
      if (document.activeElement !== input && !this.saving.has(`${take.id}:${field}`)) input.value = value;
    }
    row.classList.toggle("playing", Boolean(this.playing && this.playing.id === take.id));
  }

  async saveCredit(id, input) {
    const field = input.dataset.credit;
    const value = input.value.trim();
    if (value === (input.dataset.server || "")) return;
    const key = `${id}:${field}`;
    this.saving.add(key);
    input.classList.add("saving");
    const ack = await this.connection.request("take_credit", { take: id, [field]: value });
    this.saving.delete(key);
    input.classList.remove("saving");
    const label = field === "operator" ? "camera operator" : field;
    reportAck(ack, `Save the ${label}`);
    if (ack.ok) {
      input.dataset.server = value;
      input.classList.add("saved");
      setTimeout(() => input.classList.remove("saved"), 1200);
    } else if (document.activeElement !== input) {
      input.value = input.dataset.server || "";
    }
  }

  play(id, which = "media") {
    const take = this.get(id);
    const url = take ? mediaUrl(which === "raw" ? take.raw && take.raw.url : take.media && take.media.url) : null;
    if (!url) {
      toast("This take has no playable file yet.", "error");
      return;
    }
    this.playing = { id, url };
    this.player.hidden = false;
    const duration = seconds(take.duration);
    setText($("#take-player-caption"), `${take.camera} · ${duration === null ? "?" : clockTime(duration)}`
      + `${which === "raw" ? " · raw" : ""}${take.performer ? ` · ${take.performer}` : ""}`);
    this.video.dataset.take = id;
    if (this.video.getAttribute("src") !== url) this.video.src = url;
    else this.video.currentTime = 0;
    this.video.play().catch((err) => {
      if (err && err.name !== "AbortError") toast(`This take does not play here: ${err.message || err.name}`, "error");
    });
    for (const [rowId, row] of this.rows) row.classList.toggle("playing", rowId === id);
  }

  closePlayer() {
    this.playing = null;
    this.video.pause();
    this.video.removeAttribute("src");
    delete this.video.dataset.take;
    this.video.load();
    this.player.hidden = true;
    for (const row of this.rows.values()) row.classList.remove("playing");
  }
}
