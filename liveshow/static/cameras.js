// Stage cameras: live preview tiles, state, recording, keying, audience backgrounds and
// snapshots (the Cameras view), a compact strip beside the cue list, and the takes list.
// Everything a camera agent or a phone sends is untrusted and reaches the page only as text
// (dom.js `h` / `setText`) or as a /media/<sha> URL checked against a pattern.
import { $, clear, h, setText } from "./shared/dom.js";
import { clockTime } from "./time.js";
import { reportAck, toast } from "./toast.js";
import { Previews } from "./previews.js";
import { mediaUrl, safeImage } from "./shared/media.js";
import { Takes } from "./takes.js";
import { KeyPreview } from "./keypreview.js";
import { CameraTransitions } from "./camtransitions.js";

const KEY_DEFAULTS = { screen: "green", similarity: 0.45, smoothness: 0.25, spill: 0.8, key_colour: null };
const HEX = /^#[0-9a-f]{6}$/;
const SLIDERS = [
  ["similarity", "Similarity", 0, 1, "How far from the screen colour still keys out"],
  ["smoothness", "Smoothness", 0.01, 1, "How soft the edge of the matte is"],
  ["spill", "Spill", 0, 1, "How much of the screen's colour cast is taken off the performer"],
];
const KEY_SEND_MS = 200;          // sliders: send this long after the last movement
const EXPECT_MS = 3000;           // an acknowledged change wins over an older status this long
const MAX_PICKS = 50;             // the server takes 1 to 50 backgrounds
const MAX_CANDIDATES = 120;
const PICTURE_KINDS = new Set(["photo", "drawing"]);
const SHOWN_STATUSES = new Set(["approved", "featured"]);
const KEY_STORE = "liveshow.crew.key.";

let uid = 0;

function isCandidate(item) {
  return item && typeof item === "object" && typeof item.id === "string" && PICTURE_KINDS.has(item.kind)
    && SHOWN_STATUSES.has(item.status) && mediaUrl(item.thumb) !== null;
}

function validCamera(cam) {
  return cam && typeof cam === "object" && typeof cam.name === "string" && cam.name.length > 0;
}

function loadKeySettings(name) {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY_STORE + name) || "null");
    if (stored && typeof stored === "object") {
      const out = { ...KEY_DEFAULTS };
      if (stored.screen === "blue" || stored.screen === "green") out.screen = stored.screen;
      if (typeof stored.key_colour === "string" && HEX.test(stored.key_colour)) out.key_colour = stored.key_colour;
      for (const [field, , min, max] of SLIDERS) {
        const v = stored[field];
        if (typeof v === "number" && v >= min && v <= max) out[field] = v;
      }
      return out;
    }
  } catch (_) { /* private mode or junk: defaults */ }
  return { ...KEY_DEFAULTS };
}

function saveKeySettings(name, settings) {
  try {
    localStorage.setItem(KEY_STORE + name, JSON.stringify(settings));
  } catch (_) { /* not remembered */ }
}

/**
 * The picture with its state badge, REC light and "no picture" cover; used by the big
 * card and by the strip tile.
 */
function makeScreen(previews, name, className) {
  const img = h("img", { class: "cam-preview", alt: `Live preview of ${name}`, hidden: true, decoding: "async" });
  const nopic = h("div", { class: "cam-nopic" },
    h("span", { class: "cam-nopic-text", text: "no picture" }),
    h("span", { class: "cam-nopic-why" }));
  const badge = h("span", { class: "cam-badge" });
  // The tally: red ON AIR while a camera cue shows it, green PREVIEW while a key is previewed
  const onair = h("span", { class: "cam-onair", text: "ON AIR", hidden: true, title: "The projector is showing this camera" });
  const previewing = h("span", { class: "cam-tally-preview", text: "PREVIEW", hidden: true,
    title: "The crew is previewing a key on this camera (not on the projector)" });
  const keyed = h("span", { class: "cam-keyed-tag", text: "KEYED", hidden: true });
  const rec = h("div", { class: "cam-rec", hidden: true },
    h("span", { class: "cam-rec-dot", "aria-hidden": "true" }),
    h("span", { class: "cam-rec-label", text: "REC" }),
    h("span", { class: "cam-rec-time" }));
  const box = h("div", { class: className },
    img, nopic,
    h("div", { class: "cam-overlay" }, badge, onair, previewing, keyed),
    rec);
  const screen = { box, img, nopic, badge, onair, previewing, keyed, rec, recTime: rec.querySelector(".cam-rec-time") };
  screen.tile = previews.attach(name, img, (stale) => {
    nopic.hidden = !stale;
    box.classList.toggle("no-picture", stale);
  });
  return screen;
}

function fillScreen(screen, view) {
  const label = String(view.state || "?").toUpperCase();   // the server's word, whatever new states come
  setText(screen.badge, label);
  screen.badge.dataset.state = view.state;
  screen.badge.title = view.problem ? `${label}: ${view.problem}` : label;
  screen.onair.hidden = view.tally !== "on_air";
  screen.previewing.hidden = view.tally !== "preview";
  screen.keyed.hidden = !view.keyed;
  screen.rec.hidden = !view.recording;
  const why = view.state === "disconnected" ? "the camera agent is not connected"
    : view.state === "lost" || view.state === "retrying" ? (view.problem || view.state)
      : view.state === "stopped" ? "the camera stopped" : "";
  setText(screen.nopic.querySelector(".cam-nopic-why"), why);
}

/** Free space for takes, as the crew reads it: "12.3 GB", "480 MB". */
function formatFree(bytes) {
  const gb = bytes / 1024 ** 3;
  return gb >= 1 ? `${gb.toFixed(1)} GB` : `${Math.floor(bytes / 1024 ** 2)} MB`;
}

function placeInOrder(parent, nodes) {
  let at = parent.firstElementChild;
  for (const node of nodes) {
    if (at === node) at = at.nextElementSibling;
    else parent.insertBefore(node, at);
  }
}

function recordingText(card) {
  if (!card.recording) return "";
  const elapsed = (Date.now() - card.recSince) / 1000;
  return `${card.recExact ? "" : "≥ "}${clockTime(Math.max(0, elapsed), { tenths: false })}`;
}

/** One camera: what the server last said, what we asked for, and its DOM. */
class CameraCard {
  constructor(owner, info) {
    this.owner = owner;
    this.name = info.name;
    this.info = info;
    this.expect = {};              // field -> {value, until}: an acknowledged change, not yet reported
    this.recSince = null;          // Date.now() when recording started (as far as we know)
    this.recExact = false;
    this.seenIdle = false;         // seen not recording: a start we see is the real start
    this.key = loadKeySettings(this.name);
    this.keyTimer = 0;
    this.keySending = false;
    this.keyAgain = false;
    this.busy = new Set();
    this.picks = [];               // background submission ids, in the order picked
    this.applied = null;           // {ids, period} last set on the camera from here
    this.uid = ++uid;
    this.build();
    this.buildStrip();
  }

  // ---- what to show --------------------------------------------------------------------
  effective(field) {
    const want = this.expect[field];
    if (want && Date.now() < want.until) {
      if (this.info[field] === want.value) delete this.expect[field];
      return want.value;
    }
    delete this.expect[field];
    return this.info[field];
  }

  view() {
    const state = typeof this.info.state === "string" ? this.info.state : "disconnected";
    return {
      state,
      problem: typeof this.info.problem === "string" ? this.info.problem : "",
      recording: Boolean(this.effective("recording")) && state !== "disconnected",
      keyed: Boolean(this.effective("keyed")),
      viewers: typeof this.info.viewers === "number" ? this.info.viewers : 0,
      tally: state === "disconnected" ? "off" : String(this.info.tally || "off"),
    };
  }

  get connected() {
    return this.info.state !== "disconnected";
  }

  update(info) {
    this.info = info;
    // Previewing here, yet the camera's tally is off: the server lost the preview (this
    // dashboard reconnected, or the server restarted): ask again.
    if (this.keyPreview.on && info.tally === "off" && !this.keyPreview.sending) this.keyPreview.changed();
    // What the camera really keys over (it says so in its status): right after a reload too.
    if (Array.isArray(info.backgrounds)) {
      const ids = info.backgrounds.filter((id) => typeof id === "string");
      const period = typeof info.background_period === "number" ? info.background_period : 0;
      const applied = ids.length ? { ids, period } : null;
      if (JSON.stringify(applied) !== JSON.stringify(this.applied)) {
        this.applied = applied;
        if (this.bgList) this.renderPicks();
      }
    }
    // The server stamps when recording began (its clock); as an age it needs no clock sync.
    if (info.recording && typeof info.recording_since === "number"
        && typeof info.updated_at === "number") {
      this.recSince = Date.now() - Math.max(0, info.updated_at - info.recording_since) * 1000;
      this.recExact = true;
    }
    this.render();
  }

  // ---- DOM -----------------------------------------------------------------------------
  build() {
    const name = this.name;
    const previews = this.owner.previews;
    this.screen = makeScreen(previews, name, "cam-screen");
    const button = (cls, text, title, action) => h("button", {
      type: "button", class: `btn ${cls}`, title, dataset: { action } }, text);
    this.recButton = button("cam-btn-rec", "● REC", `Start recording ${name}`, "record");
    this.stopButton = button("cam-btn-stop", "■ Stop", `Stop recording ${name}; the take is saved and uploaded`, "stop");
    this.snapButton = button("cam-btn-snap", "◉ Snapshot", "A still to the open photo prompt's wall, approved", "snapshot");
    this.keyButton = h("button", { type: "button", class: "btn btn-small cam-key-toggle", "aria-pressed": "false",
      dataset: { action: "key" }, title: "Chroma key on or off" }, "Key ", h("span", { class: "cam-key-state", text: "OFF" }));

    this.keyPreview = new KeyPreview(this);
    this.transitions = new CameraTransitions(this);
    const screenName = `screen-${this.uid}`;
    const screens = h("div", { class: "cam-screen-choice", role: "radiogroup", "aria-label": "Screen colour" },
      ...["green", "blue"].map((colour) => h("label", { class: `cam-radio cam-radio-${colour}` },
        h("input", { type: "radio", name: screenName, value: colour, checked: this.key.screen === colour }),
        h("span", { text: colour === "green" ? "Green" : "Blue" }))));
    this.sliders = {};
    const sliders = SLIDERS.map(([field, label, min, max, hint]) => {
      const id = `cam-${this.uid}-${field}`;
      const input = h("input", { type: "range", id, min: String(min), max: String(max), step: "0.01",
        dataset: { setting: field }, title: hint });
      input.value = String(this.key[field]);
      const output = h("output", { class: "cam-slider-value", for: id, text: this.key[field].toFixed(2) });
      this.sliders[field] = { input, output };
      return h("div", { class: "cam-slider" }, h("label", { for: id, text: label, title: hint }), input, output);
    });
    // The eyedropper: click the preview (key off, so it shows the camera's own picture) on
    // the screen to key exactly that colour; Auto samples it from the frame's border again.
    this.dropper = h("button", { type: "button", class: "btn btn-small cam-dropper", "aria-pressed": "false",
      dataset: { action: "dropper" }, title: "Pick the key colour: then click the screen in the preview" }, "Pick colour");
    this.swatch = h("span", { class: "cam-swatch", title: "The key colour" });
    this.autoColour = h("button", { type: "button", class: "btn btn-small cam-auto-colour",
      dataset: { action: "auto-colour" }, title: "Sample the key colour from the frame's border" }, "Auto");
    const keyBox = h("fieldset", { class: "cam-key" },
      h("legend", { class: "visually-hidden", text: `Keying for ${name}` }),
      h("div", { class: "cam-key-top" }, this.keyButton, screens),
      h("div", { class: "cam-key-colour" }, this.dropper, this.swatch, this.autoColour, this.keyPreview.toggle),
      ...sliders);
    this.renderColour();

    this.period = h("input", { type: "number", class: "cam-bg-period", min: "1", max: "600", step: "1", value: "8",
      "aria-label": `Seconds each background stays on ${name}` });
    this.bgList = h("ul", { class: "cam-bg-list", role: "group",
      "aria-label": `Approved photos and drawings for ${name}: pick one, or several to cycle` });
    this.bgEmpty = h("p", { class: "cam-bg-empty", text: "No approved photos or drawings yet: approve some in the queue." });
    this.bgApply = h("button", { type: "button", class: "btn btn-small btn-accent cam-bg-apply", dataset: { action: "background" } },
      "Set background");
    this.bgClear = h("button", { type: "button", class: "btn btn-small btn-quiet cam-bg-clear", dataset: { action: "unpick" } },
      "Clear picks");
    const bgBox = h("div", { class: "cam-bg" },
      h("div", { class: "cam-bg-head" },
        h("span", { class: "cam-bg-title", text: "Background" }),
        h("span", { class: "cam-bg-current", text: "none set from here" }),
        h("span", { class: "cam-bg-picked" }),
        h("label", { class: "cam-bg-cycle" }, "cycle every ", this.period, " s"),
        this.bgClear, this.bgApply),
      this.bgList, this.bgEmpty);

    this.card = h("article", { class: "cam-card", dataset: { camera: name }, "aria-label": `Camera ${name}` },
      this.screen.box,
      h("div", { class: "cam-side" },
        h("div", { class: "cam-title" },
          h("h3", { class: "cam-name", text: name }),
          h("span", { class: "cam-stats" },
            h("span", { class: "cam-fps" }), h("span", { class: "cam-dropped" }),
            h("span", { class: "cam-disk" })),
          h("span", { class: "cam-source" })),
        h("p", { class: "cam-problem", role: "status" }),
        h("div", { class: "cam-buttons", role: "group", "aria-label": `Record ${name}` },
          this.recButton, this.stopButton, this.snapButton),
        keyBox, this.transitions.box),
      this.keyPreview.box,
      bgBox);

    this.card.addEventListener("click", (e) => this.onClick(e));
    this.card.addEventListener("input", (e) => {
      const slider = e.target.closest("input[data-setting]");
      if (slider) this.onSlider(slider, false);
    });
    this.card.addEventListener("change", (e) => {
      const slider = e.target.closest("input[data-setting]");
      if (slider) this.onSlider(slider, true);
      const radio = e.target.closest(`input[name="${screenName}"]`);
      if (radio && radio.checked) {
        this.key.screen = radio.value === "blue" ? "blue" : "green";
        this.sendKeySoon(0);
      }
      if (e.target === this.period) this.renderPicks();
    });
  }

  buildStrip() {
    this.stripScreen = makeScreen(this.owner.previews, this.name, "cam-screen cam-screen-small");
    this.stripScreen.box.title = `${this.name}: open the Cameras view`;
    this.stripScreen.box.addEventListener("click", () => this.owner.onWantView("cameras"));
    this.stripScreen.box.append(h("span", { class: "strip-name", text: this.name }));
    this.strip = h("div", { class: "strip-cam", dataset: { camera: this.name } },
      this.stripScreen.box,
      h("div", { class: "strip-foot", role: "group", "aria-label": `Record ${this.name}` },
        h("button", { type: "button", class: "btn btn-small cam-btn-rec", dataset: { action: "record" },
          title: `Start recording ${this.name}` }, "● REC"),
        h("button", { type: "button", class: "btn btn-small cam-btn-stop", dataset: { action: "stop" },
          title: `Stop recording ${this.name}` }, "■ Stop")));
    this.strip.addEventListener("click", (e) => this.onClick(e));
  }

  remove() {
    this.owner.previews.detach(this.screen.tile);
    this.owner.previews.detach(this.stripScreen.tile);
    this.keyPreview.release();
    this.card.remove();
    this.strip.remove();
  }

  render() {
    const view = this.view();
    this.owner.previews.setDown(this.name, view.state === "disconnected");
    // the record clock: from the start we saw (exact), or from when we first heard (≥)
    if (view.recording && this.recSince === null) {
      this.recSince = Date.now();
      this.recExact = this.seenIdle;
    } else if (!view.recording) {
      this.recSince = null;
      if (view.state !== "disconnected") this.seenIdle = true;
    }
    this.recording = view.recording;
    for (const [root, screen] of [[this.card, this.screen], [this.strip, this.stripScreen]]) {
      root.dataset.state = view.state;
      root.classList.toggle("recording", view.recording);
      root.classList.toggle("on-air", view.tally === "on_air");
      root.classList.toggle("tally-preview", view.tally === "preview");
      root.dataset.tally = view.tally;
      fillScreen(screen, view);
    }
    const fps = typeof this.info.fps === "number" ? this.info.fps : 0;
    const dropped = typeof this.info.dropped === "number" ? this.info.dropped : 0;
    setText(this.card.querySelector(".cam-fps"), this.connected ? `${fps.toFixed(1)} fps` : "– fps");
    const droppedNode = this.card.querySelector(".cam-dropped");
    setText(droppedNode, `${dropped} dropped`);
    droppedNode.classList.toggle("has-dropped", dropped > 0);
    setText(this.card.querySelector(".cam-source"), typeof this.info.source === "string" ? this.info.source : "");
    const disk = this.card.querySelector(".cam-disk");
    const free = this.info.disk_free;
    setText(disk, this.connected && Number.isFinite(free) ? `${formatFree(free)} free` : "");
    // A live agent's problem is only ever its disk: takes short of space.
    disk.classList.toggle("low-disk", this.connected && view.state === "live" && Boolean(view.problem));
    const problem = this.card.querySelector(".cam-problem");
    // A dead agent's last word (a disk warning, a lost source) is not news: that it is gone is.
    const problemText = view.state === "disconnected" ? "The camera agent is not connected."
      : view.problem || "";
    setText(problem, problemText);
    problem.hidden = !problemText;

    setText(this.keyButton.querySelector(".cam-key-state"), view.keyed ? "ON" : "OFF");
    this.keyButton.setAttribute("aria-pressed", view.keyed ? "true" : "false");
    this.card.classList.toggle("keyed", view.keyed);

    const off = !this.connected;
    for (const button of [...this.card.querySelectorAll("button[data-action]"), ...this.strip.querySelectorAll("button[data-action]")]) {
      const action = button.dataset.action;
      const needsCamera = ["record", "stop", "snapshot", "key", "background"].includes(action);
      const disabled = (needsCamera && off) || this.busy.has(action)
        || (action === "background" && !this.picks.length) || (action === "unpick" && !this.picks.length);
      button.setAttribute("aria-disabled", disabled ? "true" : "false");
    }
    for (const button of [this.recButton, this.strip.querySelector(".cam-btn-rec")]) {
      button.classList.toggle("is-recording", view.recording);
    }
    this.tick();
  }

  tick() {
    const text = recordingText(this);
    setText(this.screen.recTime, text);
    setText(this.stripScreen.recTime, text);
  }

  // ---- actions -------------------------------------------------------------------------
  onClick(e) {
    if (this.picking && e.target === this.screen.img) {
      this.pickColour(e);
      return;
    }
    const pick = e.target.closest("button[data-pick]");
    if (pick) {
      this.togglePick(pick.dataset.pick);
      return;
    }
    const button = e.target.closest("button[data-action]");
    if (!button || button.getAttribute("aria-disabled") === "true") return;
    const action = button.dataset.action;
    if (action === "record" || action === "stop") this.recordOrStop(action);
    else if (action === "snapshot") this.snapshot();
    else if (action === "key") this.setKey(!this.view().keyed);
    else if (action === "background") this.setBackground();
    else if (action === "dropper") this.setPicking(!this.picking);
    else if (action === "auto-colour") this.useColour(null);
    else if (action === "key-preview" || action === "key-apply") this.keyPreview.onAction(action);
    else if (action === "unpick") {
      this.picks = [];
      this.renderPicks();
    }
  }

  async command(action, fields, label) {
    this.busy.add(action);
    this.render();
    const ack = await this.owner.connection.request("camera", { camera: this.name, action, ...fields });
    this.busy.delete(action);
    reportAck(ack, label);
    this.render();
    return ack;
  }

  async recordOrStop(action) {
    const sentAt = Date.now();
    const ack = await this.command(action, {}, action === "record" ? `Record on ${this.name}` : `Stop ${this.name}`);
    if (!ack.ok) return;
    this.expectRecording(action === "record", sentAt);
    if (action === "stop" && ack.take) toast(`${this.name}: take saved; it appears under Takes once uploaded.`, "ok");
  }

  expectRecording(on, sentAt) {
    this.expect.recording = { value: on, until: Date.now() + EXPECT_MS };
    if (on) {
      this.recSince = sentAt;
      this.recExact = true;
    }
    this.render();
  }

  async snapshot() {
    const ack = await this.command("snapshot", {}, `Snapshot from ${this.name}`);
    if (ack.ok) {
      const prompt = this.owner.snapshotPrompt();
      toast(`Snapshot from ${this.name} is on the wall${prompt ? ` of “${prompt.question || prompt.id}”` : ""}.`, "ok");
    }
  }

  async setKey(on) {
    clearTimeout(this.keyTimer);
    const ack = await this.command("key", { on, settings: this.keySettings() }, `Key ${on ? "on" : "off"} for ${this.name}`);
    if (ack.ok) {
      this.expect.keyed = { value: on, until: Date.now() + EXPECT_MS };
      saveKeySettings(this.name, this.key);
      this.render();
    }
  }

  keySettings() {
    return { similarity: this.key.similarity, smoothness: this.key.smoothness, spill: this.key.spill,
      screen: this.key.screen, key_colour: this.key.key_colour };
  }

  setPicking(on) {
    this.picking = on;
    this.dropper.setAttribute("aria-pressed", on ? "true" : "false");
    this.card.classList.toggle("picking", on);
  }

  /** The colour under the click, read from the preview picture itself (same origin). */
  pickColour(e) {
    const img = this.screen.img;
    const w = img.naturalWidth;
    const ht = img.naturalHeight;
    if (!w || !ht) return;
    const box = img.getBoundingClientRect();
    const scale = Math.min(box.width / w, box.height / ht);     // object-fit: contain
    const x = Math.floor((e.clientX - box.left - (box.width - w * scale) / 2) / scale);
    const y = Math.floor((e.clientY - box.top - (box.height - ht * scale) / 2) / scale);
    if (x < 0 || y < 0 || x >= w || y >= ht) return;           // the bars beside the picture
    const canvas = document.createElement("canvas");
    canvas.width = 5;
    canvas.height = 5;
    const g = canvas.getContext("2d", { willReadFrequently: true });
    g.drawImage(img, x - 2, y - 2, 5, 5, 0, 0, 5, 5);          // 5x5 around it: no single noisy pixel
    const px = g.getImageData(0, 0, 5, 5).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < px.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += px[i + c];
    const hex = `#${sum.map((v) => Math.round(v / 25).toString(16).padStart(2, "0")).join("")}`;
    this.setPicking(false);
    this.useColour(hex);
  }

  useColour(hex) {
    this.key.key_colour = hex;
    if (hex) {          // the spill clamp works on the screen's channel: the one that leads
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      this.key.screen = b > g && b > r ? "blue" : "green";
      const radio = this.card.querySelector(`.cam-screen-choice input[value="${this.key.screen}"]`);
      if (radio) radio.checked = true;
    }
    this.renderColour();
    this.sendKeySoon(0);
  }

  renderColour() {
    const hex = this.key.key_colour;
    this.swatch.style.background = hex || "transparent";
    this.swatch.dataset.colour = hex || "auto";
    this.swatch.textContent = hex ? "" : "auto";
    this.autoColour.hidden = !hex;
  }

  onSlider(input, final) {
    const field = input.dataset.setting;
    const spec = SLIDERS.find((s) => s[0] === field);
    const value = Number(input.value);
    if (!spec || !Number.isFinite(value)) return;
    this.key[field] = Math.min(spec[3], Math.max(spec[2], value));
    setText(this.sliders[field].output, this.key[field].toFixed(2));
    this.sendKeySoon(final ? 0 : KEY_SEND_MS);
  }

  /** Settings go to the agent as the slider moves: debounced, one request at a time. */
  sendKeySoon(delay) {
    clearTimeout(this.keyTimer);
    this.keyTimer = setTimeout(() => this.sendKey(), delay);
  }

  async sendKey() {
    if (!this.connected || this.keyPreview.changed()) return;   // previewing: not on air
    if (this.keySending) {
      this.keyAgain = true;
      return;
    }
    this.keySending = true;
    const settings = this.keySettings();
    const ack = await this.owner.connection.request("camera", {
      camera: this.name, action: "key", on: this.view().keyed, settings });
    this.keySending = false;
    reportAck(ack, `Key settings for ${this.name}`);
    if (ack.ok) saveKeySettings(this.name, settings);
    if (this.keyAgain) {
      this.keyAgain = false;
      this.sendKey();
    }
  }

  togglePick(id) {
    const at = this.picks.indexOf(id);
    if (at >= 0) this.picks.splice(at, 1);
    else if (this.picks.length < MAX_PICKS) this.picks.push(id);
    else toast(`At most ${MAX_PICKS} backgrounds at once.`, "error");
    this.renderPicks();
    if (this.keyPreview.changed()) this.keyPreview.render();
  }

  async setBackground() {
    const ids = this.picks.filter((id) => this.owner.candidates.has(id));
    if (!ids.length) return;
    const period = Number(this.period.value);
    if (!Number.isFinite(period) || period < 1 || period > 600) {
      toast("The cycle period is 1 to 600 seconds.", "error");
      this.period.focus();
      return;
    }
    const ack = await this.command("background", { submissions: ids, period },
      `Background for ${this.name}`);
    if (!ack.ok) return;
    this.applied = { ids, period };
    this.renderPicks();
    const what = ids.length === 1 ? this.owner.describe(ids[0]) : `${ids.length} pictures, every ${period} s`;
    toast(`${this.name}: background ${what}${this.view().keyed ? "" : " (shows once the key is on)"}.`, "ok");
  }

  renderPicks() {
    const candidates = this.owner.shownCandidates;
    this.picks = this.picks.filter((id) => this.owner.candidates.has(id));
    const want = candidates.map((c) => c.id);
    const sig = JSON.stringify(want);
    if (this.bgList.dataset.sig !== sig) {
      this.bgList.dataset.sig = sig;
      const focused = this.bgList.contains(document.activeElement) ? document.activeElement.dataset.pick : null;
      clear(this.bgList);
      for (const item of candidates) {
        const who = item.handle || "someone";
        const glyph = h("span", { class: "cam-bg-glyph", text: item.kind === "drawing" ? "✎" : "◩", hidden: true });
        this.bgList.append(h("li", {}, h("button", {
          type: "button", class: "cam-bg-item", dataset: { pick: item.id, kind: item.kind },
          "aria-pressed": "false", title: `${item.kind} by ${who}` },
        safeImage(mediaUrl(item.thumb), `${item.kind} by ${who}`, glyph), glyph,
        h("span", { class: "cam-bg-order", "aria-hidden": "true" }),
        h("span", { class: "cam-bg-handle", text: who }))));
      }
      if (focused) {
        const again = this.bgList.querySelector(`button[data-pick="${CSS.escape(focused)}"]`);
        if (again) again.focus();
      }
    }
    for (const button of this.bgList.querySelectorAll("button[data-pick]")) {
      const at = this.picks.indexOf(button.dataset.pick);
      button.setAttribute("aria-pressed", at >= 0 ? "true" : "false");
      setText(button.querySelector(".cam-bg-order"), at >= 0 && this.picks.length > 1 ? String(at + 1) : at >= 0 ? "✓" : "");
      button.classList.toggle("is-applied", Boolean(this.applied && this.applied.ids.includes(button.dataset.pick)));
    }
    this.bgEmpty.hidden = candidates.length > 0;
    const head = this.card.querySelector(".cam-bg-head");
    setText(head.querySelector(".cam-bg-picked"), this.picks.length ? `${this.picks.length} picked` : "");
    this.period.closest("label").classList.toggle("inactive", this.picks.length < 2);
    const current = this.applied
      ? (this.applied.ids.length === 1 ? this.owner.describe(this.applied.ids[0])
        : `${this.applied.ids.length} pictures, every ${this.applied.period} s`)
      : "none set";
    setText(head.querySelector(".cam-bg-current"), `· ${current}`);
    this.render();
  }
}

export class Cameras {
  constructor({ connection, onWantView }) {
    this.connection = connection;
    this.onWantView = onWantView;
    this.cards = new Map();            // name -> CameraCard
    this.candidates = new Map();       // submission id -> approved photo / drawing
    this.shownCandidates = [];
    this.prompt = null;                // the open prompt (state.prompt)
    this.previews = new Previews();
    this.keyPreviews = new Previews();     // the crew's key previews (keypreview.js)
    this.takes = new Takes({ connection });
    this.list = $("#cam-list");
    this.stripBox = $("#cam-strip");

    connection.on("cameras", (data) => this.onCameras(data));
    connection.on("preview", (data) => this.previews.onPreview(data));
    connection.on("key_preview", (data) => this.keyPreviews.onPreview(data));
    connection.on("submissions", (data) => this.onSubmissions(data));
    connection.on("submission", (item) => this.onSubmission(item));
    for (const [id, action] of [["#cam-record-all", "record"], ["#cam-stop-all", "stop"]]) {
      $(id).addEventListener("click", (e) => {
        if (e.currentTarget.getAttribute("aria-disabled") !== "true") this.all(action);
      });
    }
    $("#strip-open").addEventListener("click", () => this.onWantView("cameras"));
    this.renderHead();
    setInterval(() => this.tick(), 250);
  }

  // ---- data ----------------------------------------------------------------------------
  onCameras(data) {
    if (!data || !Array.isArray(data.cameras)) return;
    const seen = new Set();
    for (const info of data.cameras) {
      if (!validCamera(info) || seen.has(info.name)) continue;
      seen.add(info.name);
      let card = this.cards.get(info.name);
      if (!card) {
        card = new CameraCard(this, info);
        this.cards.set(info.name, card);
        card.transitions.update(this.cues || []);
        card.renderPicks();
      }
      card.update(info);
    }
    for (const [name, card] of this.cards) {
      if (!seen.has(name)) {
        card.remove();
        this.cards.delete(name);
      }
    }
    // In name order; moved only when out of place (moving a node drops the focus inside it,
    // say a slider being dragged, and statuses arrive every second).
    const ordered = [...this.cards.keys()].sort().map((name) => this.cards.get(name));
    placeInOrder(this.list, ordered.map((c) => c.card));
    placeInOrder(this.stripBox, ordered.map((c) => c.strip));
    this.renderHead();
  }

  onSubmissions(data) {
    if (!data || !Array.isArray(data.items)) return;
    this.candidates = new Map();
    for (const item of data.items) if (isCandidate(item)) this.candidates.set(item.id, item);
    this.candidatesChanged();
  }

  onSubmission(item) {
    if (!item || typeof item !== "object" || typeof item.id !== "string") return;
    const had = this.candidates.has(item.id);
    if (isCandidate(item)) this.candidates.set(item.id, item);
    else if (had) this.candidates.delete(item.id);
    else return;
    this.candidatesChanged();
  }

  candidatesChanged() {
    this.shownCandidates = [...this.candidates.values()]
      .sort((a, b) => (b.seq || 0) - (a.seq || 0)).slice(0, MAX_CANDIDATES);
    for (const card of this.cards.values()) card.renderPicks();
  }

  describe(id) {
    const item = this.candidates.get(id);
    return item ? `${item.kind} by ${item.handle || "someone"}` : "a picture";
  }

  /** Called with every crew `state`. */
  onState(state) {
    this.prompt = state.prompt && typeof state.prompt === "object" ? state.prompt : null;
    this.cues = Array.isArray(state.cues) ? state.cues : this.cues || [];
    for (const card of this.cards.values()) card.transitions.update(this.cues);
    this.renderHead();
  }

  onView() {
    this.previews.schedule();
  }

  snapshotPrompt() {
    return this.prompt && (this.prompt.kind === "photo" || this.prompt.kind === "drawing") ? this.prompt : null;
  }

  // ---- every camera --------------------------------------------------------------------
  async all(action) {
    const connected = [...this.cards.values()].filter((c) => c.connected);
    const sentAt = Date.now();
    const ack = await this.connection.request("camera", { camera: "*", action });
    reportAck(ack, action === "record" ? "Record all" : "Stop all");
    // Mark the cameras that obeyed (with "*", a refusal may still mean some did).
    const answers = ack.ok && ack.cameras && typeof ack.cameras === "object" ? ack.cameras : null;
    for (const card of connected) {
      if (answers && answers[card.name] && answers[card.name].ok) card.expectRecording(action === "record", sentAt);
    }
    if (ack.ok) toast(action === "record" ? `Recording on ${Object.keys(answers || {}).length} camera(s).` : "Stopped every camera.", "ok");
  }

  // ---- rendering -----------------------------------------------------------------------
  renderHead() {
    const cards = [...this.cards.values()];
    const views = cards.map((c) => c.view());
    const live = views.filter((v) => v.state === "live").length;
    const recording = views.filter((v) => v.recording).length;
    const trouble = views.filter((v) => v.state === "lost" || v.state === "retrying").length;
    const parts = cards.length ? [`${cards.length} camera${cards.length === 1 ? "" : "s"}`, `${live} live`] : ["none connected"];
    if (trouble) parts.push(`${trouble} in trouble`);
    if (recording) parts.push(`● ${recording} recording`);
    setText($("#cam-summary"), parts.join(" · "));
    $("#cam-summary").classList.toggle("has-recording", recording > 0);
    $("#cam-empty").hidden = cards.length > 0;
    $("#camera-strip").hidden = cards.length === 0;
    const pill = $("#view-rec");
    pill.hidden = !recording;
    setText(pill, recording ? `● REC${recording > 1 ? ` ${recording}` : ""}` : "");
    pill.title = recording ? `${recording} camera${recording === 1 ? "" : "s"} recording` : "";
    const anyConnected = cards.some((c) => c.connected);
    $("#cam-record-all").setAttribute("aria-disabled", anyConnected ? "false" : "true");
    $("#cam-stop-all").setAttribute("aria-disabled", anyConnected ? "false" : "true");
    const target = this.snapshotPrompt();
    const snap = $("#cam-snap-target");
    setText(snap, target ? `Snapshots go to “${target.question || target.id}”` : "Snapshots: open a photo prompt first");
    snap.classList.toggle("ready", Boolean(target));
  }

  tick() {
    let changed = false;
    for (const card of this.cards.values()) {
      const expired = Object.values(card.expect).some((want) => Date.now() >= want.until);
      if (expired) {
        const before = card.recording;
        card.render();            // an acknowledged change the camera never reported: its word wins
        changed = changed || card.recording !== before;
      } else {
        card.tick();
      }
    }
    if (changed) this.renderHead();
  }

  // ---- keyboard ------------------------------------------------------------------------
  /** Keys inside the camera panel or strip; true when handled (the show keys pass). */
  handleKey(e) {
    const target = e.target instanceof Element ? e.target : null;
    const inPanel = target && target.closest("#cameras");
    const inStrip = target && target.closest("#camera-strip");
    if (!inPanel && !inStrip) return false;
    if (inPanel && e.key === "R" && e.shiftKey && !e.altKey) {
      e.preventDefault();
      if (!e.repeat && $("#cam-record-all").getAttribute("aria-disabled") !== "true") this.all("record");
      return true;
    }
    // Sliders, the screen colour and the period keep their own arrow keys.
    if (["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"].includes(e.key)
        && target.closest("input")) return true;
    // Never "go to the selected cue" (invisible here) from this panel.
    if (e.key === "Enter" && !target.closest("button, a, input, select, summary, label")) {
      e.preventDefault();
      return true;
    }
    return false;
  }
}
