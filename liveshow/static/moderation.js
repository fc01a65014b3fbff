// The moderation queue: audience submissions arrive live, the crew approves, features,
// rejects or bans. Everything from the audience (text, handles) is untrusted: it reaches the
// page only through textContent (dom.js `h` / `setText`), never as HTML.
import { $, clear, h, setText } from "./shared/dom.js";
import { mediaUrl } from "./shared/media.js";
import { timeOfDay } from "./time.js";
import { confirmAction } from "./confirm.js";
import { reportAck, toast } from "./toast.js";
import { questionBoard, questionList } from "./questions.js";

export const STATUSES = ["pending", "approved", "featured", "rejected"];
const STATUS_MARK = { pending: "●", approved: "✓", featured: "★", rejected: "✕" };
const ACTIONS = {
  approve: { label: "Approve", key: "A", status: "approved" },
  feature: { label: "Feature", key: "F", status: "featured" },
  reject: { label: "Reject", key: "R", status: "rejected" },
  ban: { label: "Ban", key: "X", status: "rejected" },
};
const KEY_ACTION = { a: "approve", f: "feature", r: "reject", x: "ban" };
const KIND_GLYPH = { text: "Aa", photo: "◩", drawing: "✎", audio: "♪", vote: "▮", question: "?" };
// Statuses and kinds are shown as the server names them; only where our word differs is it here.
const KIND_WORD = { audio: "sound" };
const kindWord = (kind) => KIND_WORD[kind] || String(kind || "submission");
function statusWord(status) {
  const word = String(status || "?");
  return word[0].toUpperCase() + word.slice(1);
}

const FILTERS = [
  ["pending-first", "Pending first"],
  ["pending", "Pending"],
  ["approved", "Approved"],
  ["featured", "Featured"],
  ["rejected", "Rejected"],
];
const MAX_ROWS = 200;          // rows in the DOM at once; the rest wait behind the filters
const MAX_ITEMS = 5000;        // items kept in memory
const ROWS_PER_FRAME = 60;     // new rows made per animation frame (a burst stays smooth)
const PAGE = 8;                // PageUp / PageDown

/** A sound in the queue is a compact play button showing the length the server measured, and
 *  the queue has one player for all of them: no native player per row (200 of them would each
 *  load their file's header, and show "0:00 / 0:00" until they had), and a second sound stops
 *  the first. */
const seconds = (s) => `${s.toFixed(1)} s`;
function showSound(button, playing, at = 0) {
  const length = button.dataset.seconds === "" ? NaN : Number(button.dataset.seconds);
  const known = Number.isFinite(length);
  setText(button, playing ? `❚❚ ${seconds(at)}${known ? ` / ${seconds(length)}` : ""}`
    : `▶ ${known ? seconds(length) : "Play"}`);
  button.setAttribute("aria-pressed", String(playing));
}

class QueuePlayer {
  toggle(button) {
    if (!this.audio) {
      this.audio = new Audio();
      this.audio.preload = "none";
      for (const type of ["play", "pause", "ended", "timeupdate"]) {
        this.audio.addEventListener(type, () => showSound(this.button, !this.audio.paused, this.audio.currentTime));
      }
    }
    if (this.button === button && !this.audio.paused) return this.audio.pause();
    if (this.button !== button) {
      if (this.button) showSound(this.button, false);
      this.button = button;
      this.audio.src = button.dataset.src;
    }
    return this.audio.play().catch((err) => {
      if (err.name !== "AbortError") toast("This recording does not play here.", "error");  // not: another began
    });
  }
}

function validItem(item) {
  return item && typeof item === "object" && typeof item.id === "string" && typeof item.seq === "number"
    && typeof item.status === "string" && item.kind !== "vote";
}

export class Moderation {
  constructor({ connection, onWantView }) {
    this.connection = connection;
    this.onWantView = onWantView;
    this.items = new Map();       // id -> crew item, as the server last described it
    this.maxSeq = 0;
    this.baseStats = {};          // state.stats.prompts of the last state
    this.delta = Object.create(null);   // new submissions since that state (no state follows them)
    this.joined = null;
    this.filter = { prompt: "", status: "pending-first" };
    this.cursorId = null;
    this.cursorIndex = 0;
    this.shown = [];              // ids in the DOM, in order
    this.pendingShown = new Set();   // the pending ids among them at the last render
    this.rows = new Map();        // id -> <li>
    this.sounds = new QueuePlayer();
    this.busy = new Set();
    this.bannedDevices = new Set();
    this.prompts = [];
    this.openPrompt = null;
    this.joinUrl = null;
    this.sideSignature = "";
    this.frame = 0;

    this.queue = $("#mod-queue");
    this.peek = $("#mod-peek");
    connection.on("submissions", (data) => this.onSnapshot(data));
    connection.on("submission", (item) => this.onItem(item));
    connection.on("stats", (stats) => this.onStats(stats));
    this.buildFilters();
    this.installEvents();
    this.renderFilters();
    this.schedule();
  }

  // ---- data ----------------------------------------------------------------------------
  onSnapshot(data) {
    if (!data || !Array.isArray(data.items)) return;
    this.items = new Map();
    for (const item of data.items) {
      if (!validItem(item)) continue;
      this.items.set(item.id, item);
      this.maxSeq = Math.max(this.maxSeq, item.seq);
    }
    this.changed();
  }

  onItem(item) {
    if (!validItem(item)) return;
    const known = this.items.get(item.id);
    // A new submission is not followed by a state: count it here until the next state does.
    // (A moderated one is: the server broadcasts the state, with its counts, first.)
    if (!known && item.seq > this.maxSeq) this.bump(item.prompt, item.status, 1);
    this.maxSeq = Math.max(this.maxSeq, item.seq);
    this.items.set(item.id, item);
    if (this.items.size > MAX_ITEMS + 500) this.trim();
    this.changed();
  }

  onStats(stats) {
    if (this.applyStats(stats)) this.renderSide();
  }

  applyStats(stats) {
    if (!stats || typeof stats !== "object") return false;
    this.baseStats = stats.prompts && typeof stats.prompts === "object" ? stats.prompts : {};
    this.delta = Object.create(null);
    if (typeof stats.joined === "number") this.joined = stats.joined;
    return true;
  }

  /** Called with every crew `state`. */
  onState(state) {
    this.applyStats(state.stats);
    this.prompts = (state.cues || []).filter((c) => c.kind === "prompt" && c.prompt)
      .map((c) => ({ id: c.id, kind: c.prompt.kind, question: c.prompt.question || c.title || c.id }));
    this.openPrompt = state.prompt && typeof state.prompt === "object" ? state.prompt : null;
    this.tallies = state.tallies && typeof state.tallies === "object" ? state.tallies : {};
    this.board = questionBoard(state);
    this.joinUrl = typeof state.join_url === "string" ? state.join_url : this.joinUrl;
    this.renderSide();
  }

  bump(prompt, status, n) {
    const counts = (this.delta[prompt] ||= {});
    counts[status] = (counts[status] || 0) + n;
  }

  trim() {
    const oldest = [...this.items.values()].sort((a, b) => a.seq - b.seq);
    for (const item of oldest.slice(0, this.items.size - MAX_ITEMS)) this.items.delete(item.id);
  }

  counts(promptId) {
    const out = { pending: 0, approved: 0, featured: 0, rejected: 0, counted: 0 };
    const add = (src) => {
      for (const [status, n] of Object.entries(src || {})) if (typeof n === "number") out[status] = (out[status] || 0) + n;
    };
    const ids = promptId ? [promptId] : [...new Set([...Object.keys(this.baseStats), ...Object.keys(this.delta)])];
    for (const id of ids) {
      add(this.baseStats[id]);
      add(this.delta[id]);
    }
    return out;
  }

  promptLabel(id) {
    const p = this.prompts.find((q) => q.id === id);
    return p ? p.question : id;
  }

  changed() {
    this.sideDirty = true;
    this.schedule();
  }

  // ---- what is shown -------------------------------------------------------------------
  visible() {
    const { prompt, status } = this.filter;
    let list = [...this.items.values()];
    if (prompt) list = list.filter((i) => i.prompt === prompt);
    if (status !== "pending-first") list = list.filter((i) => i.status === status);
    const rank = (i) => (status === "pending-first" && i.status !== "pending" ? 1 : 0);
    return list.sort((a, b) => rank(a) - rank(b) || b.seq - a.seq);
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  render() {
    this.frame = 0;
    if (this.sideDirty) {
      this.sideDirty = false;
      this.renderSide();
    }
    const queue = this.queue;
    const hadFocus = queue.contains(document.activeElement);
    const all = this.visible();
    const shown = all.slice(0, MAX_ROWS);
    let budget = ROWS_PER_FRAME;
    let more = false;
    const desired = [];
    for (const item of shown) {
      let row = this.rows.get(item.id);
      if (!row) {
        if (budget-- <= 0) {
          more = true;
          break;
        }
        row = this.makeRow(item);
        this.rows.set(item.id, row);
      }
      this.fillRow(row, item);
      desired.push(row);
    }
    const want = new Set(desired);
    for (const [id, row] of this.rows) {
      if (!want.has(row)) {
        row.remove();
        this.rows.delete(id);
      }
    }
    placeInOrder(queue, desired);
    this.shown = desired.map((r) => r.dataset.id);
    if (this.peekSource && !this.peekSource.isConnected) this.hidePeek();

    // Away from the queue, a cursor at the top stays at the top (the newest); in use, the
    // cursor stays on its item however many arrive above it.
    let index = hadFocus || this.cursorIndex > 0 ? this.shown.indexOf(this.cursorId) : 0;
    if (index < 0) index = Math.min(this.cursorIndex, this.shown.length - 1);
    let cursor = index >= 0 ? this.shown[index] : null;
    let refocus = hadFocus && !queue.contains(document.activeElement);
    // New work arrived while the cursor rests on a decided item (or one being decided, or
    // nowhere): the cursor goes to the first one waiting, so the next A or R is for it, and
    // it is seen to be.
    const pendingNow = new Set(this.shown.filter((id) => this.isPending(id)));
    const arrived = [...pendingNow].some((id) => !this.pendingShown.has(id));
    this.pendingShown = pendingNow;
    if (arrived && (!this.isPending(cursor) || this.busy.has(cursor))) {
      cursor = this.firstPending();
      refocus = hadFocus;
    }
    this.setCursor(cursor, { focus: refocus });
    if (refocus && !this.shown.length) queue.focus({ preventScroll: true });

    queue.classList.toggle("one-prompt", Boolean(this.filter.prompt));
    const empty = $("#mod-empty");
    empty.hidden = desired.length > 0 || more;
    setText(empty, this.emptyText());
    setText($("#mod-shown"), all.length > shown.length
      ? `showing the newest ${shown.length} of ${all.length}: filter to see the rest`
      : `${all.length} shown`);
    if (more) this.schedule();
  }

  emptyText() {
    const p = this.prompts.find((q) => q.id === this.filter.prompt);
    if (p && p.kind === "vote") return "Votes are counted, not moderated.";
    if (!this.items.size) return "No submissions yet. They appear here the moment a phone sends one.";
    if (this.filter.status === "pending") return "Nothing waiting. ✓";
    return "Nothing here with these filters.";
  }

  makeRow(item) {
    const thumbUrl = mediaUrl(item.thumb);
    const who = item.handle || "someone";
    const thumb = h("div", { class: `mod-thumb ${thumbUrl ? "picture" : "glyph"}` },
      thumbUrl
        ? h("img", { src: thumbUrl, alt: `${kindWord(item.kind)} by ${who}`, loading: "lazy", decoding: "async" })
        : h("span", { class: "mod-glyph", "aria-hidden": "true", text: KIND_GLYPH[item.kind] || "?" }));
    const content = h("div", { class: "mod-content" });
    if (item.text) content.append(h("p", { class: "mod-text", text: item.text }));
    const audioUrl = item.kind === "audio" && item.media ? mediaUrl(item.media.url) : null;
    if (audioUrl) {
      const length = typeof item.media.duration === "number" ? item.media.duration : null;
      const play = h("button", { type: "button", class: "btn btn-small mod-play", tabIndex: -1,
        dataset: { src: audioUrl, seconds: length === null ? "" : String(length) },
        "aria-label": `Recording by ${who}${length === null ? "" : `, ${seconds(length)}`}` });
      showSound(play, false);
      content.append(h("div", { class: "mod-sound" }, play));
    }
    const meta = h("div", { class: "mod-meta" },
      h("span", { class: "mod-status" }),
      h("span", { class: "mod-kind", text: kindWord(item.kind) }),
      h("span", { class: "mod-handle", text: who }),
      h("time", { class: "mod-time", text: typeof item.created_at === "number" ? timeOfDay(item.created_at) : "" }),
      h("span", { class: "mod-prompt-tag" }),
      item.flagged ? h("span", { class: "mod-flag", title: "The profanity model flagged this text (advice, not a verdict)" },
        `⚑ Flagged ${typeof item.flag_score === "number" ? item.flag_score.toFixed(2) : ""}`) : null,
      h("span", { class: "mod-banned", text: "⛔ phone banned" }),
      h("span", { class: "mod-reason" }));
    content.append(meta);
    const actions = h("div", { class: "mod-actions", role: "group", "aria-label": "Decide" },
      ...Object.entries(ACTIONS).map(([action, spec]) => h("button", {
        type: "button", class: `btn btn-small mod-act mod-act-${action}`, tabIndex: -1,
        dataset: { action }, "aria-keyshortcuts": spec.key,
      }, spec.label, h("kbd", { text: spec.key }))));
    const row = h("li", { class: `mod-item${item.flagged ? " flagged" : ""}`, tabIndex: -1,
      dataset: { id: item.id, kind: item.kind } }, thumb, content, actions);
    if (item.created_at) row.querySelector(".mod-time").title = new Date(item.created_at * 1000).toLocaleString();
    return row;
  }

  fillRow(row, item) {
    const banned = this.bannedDevices.has(item.device);
    const label = this.promptLabel(item.prompt);
    const sig = [item.status, item.reason, banned, label, this.busy.has(item.id)].join("|");
    if (row.dataset.sig === sig) return;
    row.dataset.sig = sig;
    row.dataset.status = item.status;
    const status = row.querySelector(".mod-status");
    setText(status, `${STATUS_MARK[item.status] || ""} ${statusWord(item.status)}`);
    status.className = `mod-status status-${item.status}`;
    setText(row.querySelector(".mod-prompt-tag"), label ? `· ${label}` : "");
    setText(row.querySelector(".mod-reason"), item.reason ? `(${item.reason})` : "");
    row.classList.toggle("banned", banned);
    row.classList.toggle("busy", this.busy.has(item.id));
    row.setAttribute("aria-busy", this.busy.has(item.id) ? "true" : "false");
    for (const button of row.querySelectorAll("button[data-action]")) {
      const action = button.dataset.action;
      const current = action !== "ban" && ACTIONS[action].status === item.status;
      button.setAttribute("aria-pressed", current ? "true" : "false");
      // aria-disabled, not disabled: a disabled button drops the keyboard focus to <body>
      button.setAttribute("aria-disabled", this.busy.has(item.id) || (action === "ban" && banned) ? "true" : "false");
    }
    const flag = item.flagged ? `, flagged ${typeof item.flag_score === "number" ? item.flag_score.toFixed(2) : ""}` : "";
    row.setAttribute("aria-label", `${kindWord(item.kind)} from ${item.handle || "someone"}, `
      + `${statusWord(item.status)}${flag}${item.text ? `: ${item.text}` : ""}`);
  }

  setCursor(id, { focus = false } = {}) {
    const previous = this.cursorId ? this.rows.get(this.cursorId) : null;
    const row = id ? this.rows.get(id) : null;
    if (previous && previous !== row) setCurrent(previous, false);
    if (row) setCurrent(row, true);
    this.cursorId = row ? id : null;
    if (row) this.cursorIndex = this.shown.indexOf(id);
    this.queue.tabIndex = row ? -1 : 0;
    if (focus && row) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
  }

  move(delta) {
    if (!this.shown.length) return;
    const i = this.shown.indexOf(this.cursorId);
    const next = Math.max(0, Math.min(this.shown.length - 1, i < 0 ? 0 : i + delta));
    this.setCursor(this.shown[next], { focus: true });
  }

  isPending(id) {
    const item = id ? this.items.get(id) : null;
    return Boolean(item) && item.status === "pending";
  }

  /** The first item shown that waits for a decision (and is not being decided now). */
  firstPending(except = null) {
    return this.shown.find((id) => id !== except && this.isPending(id) && !this.busy.has(id)) || null;
  }

  /** Where the cursor goes when `id` leaves: the next item down, else the one above. */
  neighbour(id) {
    const i = this.shown.indexOf(id);
    if (i < 0) return null;
    return this.shown[i + 1] || this.shown[i - 1] || null;
  }

  focusQueue() {
    this.onWantView("queue");
    if (this.frame) this.render();
    const row = this.cursorId ? this.rows.get(this.cursorId) : null;
    if (row) this.setCursor(this.cursorId, { focus: true });
    else if (this.shown.length) this.setCursor(this.shown[0], { focus: true });
    else this.queue.focus();
  }

  // ---- actions -------------------------------------------------------------------------
  async act(id, action, { advance = false } = {}) {
    const item = this.items.get(id);
    const spec = ACTIONS[action];
    if (!item || !spec || this.busy.has(id)) return null;
    const who = item.handle || "someone";
    const what = `${who}’s ${kindWord(item.kind)}`;
    if (action !== "ban" && item.status === spec.status) {
      if (advance) this.advanceFrom(id);
      return null;
    }
    if (action === "ban" && this.bannedDevices.has(item.device)) {
      toast(`${who}’s phone is already banned.`, "info");
      return null;
    }
    if (action === "ban") {
      const theirs = [...this.items.values()].filter((i) => i.device === item.device && i.id !== id);
      const others = theirs.filter((i) => i.status === "pending").length;
      const shown = theirs.filter((i) => i.status === "approved" || i.status === "featured").length;
      const sure = await confirmAction({
        title: "Ban this phone?",
        message: `Ban ${who}’s phone for the rest of the show? This ${kindWord(item.kind)} is rejected`
          + (others ? `, and so ${others === 1 ? "is their other pending submission" : `are their ${others} other pending submissions`}` : "")
          + ". The phone cannot send anything else tonight."
          + (shown ? ` ${shown} approved or featured ${shown === 1 ? "stays" : "stay"} on the wall unless you reject ${shown === 1 ? "it" : "them"}.` : ""),
        confirmLabel: "Ban phone",
        danger: true,
      });
      if (!sure) {
        this.setCursor(id, { focus: true });
        return null;
      }
    }
    if (advance) this.advanceFrom(id);
    this.setBusy(id, true);
    const ack = await this.connection.request("moderate", { submission: id, action });
    this.setBusy(id, false);
    reportAck(ack, `${spec.label} ${what}`);
    if (ack.ok && action === "ban") this.markBanned(item);
    if (ack.ok && action === "feature") toast(`Featured ${what}: their phone was told.`, "ok");
    return ack;
  }

  /** After a decision by key: the next pending item below, else the first one above. */
  advanceFrom(id) {
    const waiting = (other) => other !== id && this.isPending(other) && !this.busy.has(other);
    const below = this.shown.slice(this.shown.indexOf(id) + 1).find(waiting);
    const next = below || this.firstPending(id) || this.neighbour(id);
    if (next) this.setCursor(next, { focus: true });
  }

  /**
   * A letter decides the selected item only while it waits. A decided item's decision is
   * changed by clicking its button (the deliberate step): a key pressed on it, perhaps meant
   * for work that just arrived, changes nothing and says so.
   */
  keyAct(id, action) {
    const item = this.items.get(id);
    if (!item) return;
    if (action === "ban" || item.status === "pending") {
      this.act(id, action, { advance: true });
      return;
    }
    const what = `${item.handle || "someone"}’s ${kindWord(item.kind)}`;
    const spec = ACTIONS[action];
    toast(spec.status === item.status
      ? `${what} is already ${item.status}.`
      : `${what} is already ${item.status}: click its ${spec.label} button to change that.`, "info");
  }

  setBusy(id, on) {
    if (on) this.busy.add(id);
    else this.busy.delete(id);
    const row = this.rows.get(id);
    const item = this.items.get(id);
    if (row && item) this.fillRow(row, item);
  }

  /**
   * The server rejects a banned phone's pending work but sends a `submission` only for the
   * banned one: mirror what it did (the ack confirmed it) so the queue does not keep
   * showing those as pending.
   */
  markBanned(item) {
    this.bannedDevices.add(item.device);
    let others = 0;
    for (const other of this.items.values()) {
      if (other.device === item.device && other.id !== item.id && other.status === "pending") {
        this.items.set(other.id, { ...other, status: "rejected", reason: "device banned" });
        others += 1;
      }
    }
    toast(`Banned ${item.handle || "someone"}’s phone${others ? `; ${others} more pending rejected` : ""}.`, "ok");
    this.changed();
  }

  async closePrompt() {
    const ack = await this.connection.request("prompt_close", {});
    const label = ack.ok ? this.promptLabel(ack.prompt) : "";
    reportAck(ack, "Close prompt", `Closed “${label}”. Answers already on their way count for 30 s more.`);
  }

  async rotateJoinCode() {
    const sure = await confirmAction({
      title: "Make a new join code?",
      message: "The QR code and join link change now: the old link, and photos of the old QR code, stop working. "
        + "Phones connected right now keep going, but one that drops its connection must scan the new code.",
      confirmLabel: "New join code",
      danger: true,
    });
    if (!sure) return;
    const ack = await this.connection.request("join_rotate", {});
    if (reportAck(ack, "New join code").ok) {
      this.joinUrl = ack.join_url || this.joinUrl;
      this.sideSignature = "";
      this.renderSide();
      const link = $("#mod-join-url");
      link.classList.add("fresh");
      setTimeout(() => link.classList.remove("fresh"), 6000);
      toast(`New join link: ${ack.join_url}`, "info");
    }
  }

  // ---- keyboard ------------------------------------------------------------------------
  /** Returns true when the key was the queue's. Show keys (Space, B, P, Esc, Bksp) pass. */
  handleKey(e) {
    const target = e.target instanceof Element ? e.target : null;
    const key = e.key;
    if ((key === "m" || key === "M") && !e.altKey) {
      e.preventDefault();
      if (e.repeat) return true;
      if (target && target.closest("#moderation")) this.onWantView("cues");
      else this.focusQueue();
      return true;
    }
    const inPanel = target && target.closest("#moderation");
    if (!inPanel) return false;
    const onControl = target.closest("button, a, input, select, summary, label");
    if (!target.closest("#mod-queue")) {
      if (key === "Enter" && !onControl) {
        e.preventDefault();          // never "go to the selected cue" from this panel
        return true;
      }
      if ((key === "ArrowUp" || key === "ArrowDown") && target.closest("#mod-prompts")) {
        e.preventDefault();
        const buttons = [...document.querySelectorAll("#mod-prompts button")];
        const i = buttons.indexOf(target.closest("button"));
        const next = buttons[Math.max(0, Math.min(buttons.length - 1, i + (key === "ArrowUp" ? -1 : 1)))];
        if (next) next.focus();
        return true;
      }
      return false;
    }
    if (e.altKey) return false;
    const row = target.closest(".mod-item");
    const id = row ? row.dataset.id : this.cursorId;
    switch (key) {
      case "j": case "J": case "ArrowDown":
        e.preventDefault();
        this.move(1);
        return true;
      case "k": case "K": case "ArrowUp":
        e.preventDefault();
        this.move(-1);
        return true;
      case "PageDown": case "PageUp":
        e.preventDefault();
        this.move(key === "PageDown" ? PAGE : -PAGE);
        return true;
      case "Home": case "End":
        e.preventDefault();
        this.move(key === "Home" ? -Infinity : Infinity);
        return true;
      case "Enter":
        if (onControl) return false;   // Enter on a button presses it
        e.preventDefault();
        if (!e.repeat) this.toggleAudio(id);
        return true;
      default: {
        const action = KEY_ACTION[key.toLowerCase()];
        if (!action || key.length !== 1) return false;
        e.preventDefault();
        if (!e.repeat && id) this.keyAct(id, action);
        return true;
      }
    }
  }

  toggleAudio(id) {
    const play = id && this.rows.get(id) ? this.rows.get(id).querySelector(".mod-play") : null;
    if (play) this.sounds.toggle(play);
  }

  installEvents() {
    this.queue.addEventListener("click", (e) => {
      const row = e.target.closest(".mod-item");
      if (!row) return;
      const button = e.target.closest("button[data-action]");
      if (button) {
        if (button.getAttribute("aria-disabled") === "true") return;
        this.setCursor(row.dataset.id);
        this.act(row.dataset.id, button.dataset.action);
        return;
      }
      const play = e.target.closest(".mod-play");
      if (play) {
        this.setCursor(row.dataset.id);
        this.sounds.toggle(play);
        return;
      }
      if (!e.target.closest("a")) this.setCursor(row.dataset.id, { focus: true });
    });
    this.queue.addEventListener("focusin", (e) => {
      const row = e.target.closest(".mod-item");
      if (row && row.dataset.id !== this.cursorId) this.setCursor(row.dataset.id);
    });
    // Large picture while the pointer rests on a thumbnail.
    this.queue.addEventListener("mouseover", (e) => {
      const img = e.target.closest(".mod-thumb img");
      if (img) this.showPeek(img);
    });
    this.queue.addEventListener("mouseout", (e) => {
      if (e.target.closest(".mod-thumb img") && !(e.relatedTarget && e.relatedTarget.closest && e.relatedTarget.closest(".mod-thumb img"))) {
        this.hidePeek();
      }
    });
    this.queue.addEventListener("scroll", () => this.hidePeek(), { passive: true });
    $("#mod-prompts").addEventListener("click", (e) => {
      const button = e.target.closest("button[data-prompt]");
      if (!button) return;
      this.filter.prompt = button.dataset.prompt;
      this.cursorIndex = 0;
      this.sideSignature = "";
      this.renderSide();
      this.schedule();
    });
    $("#mod-filters").addEventListener("click", (e) => {
      const button = e.target.closest("button[data-status]");
      if (!button) return;
      this.filter.status = button.dataset.status;
      this.cursorIndex = 0;
      this.renderFilters();
      this.schedule();
    });
    $("#prompt-close").addEventListener("click", () => this.closePrompt());
    $("#join-rotate").addEventListener("click", () => this.rotateJoinCode());
  }

  showPeek(img) {
    if (!img.complete || !img.naturalWidth) return;
    this.peekSource = img;
    const peek = this.peek;
    const big = peek.querySelector("img") || peek.appendChild(h("img", { alt: "" }));
    if (big.getAttribute("src") !== img.getAttribute("src")) big.src = img.getAttribute("src");
    const box = img.getBoundingClientRect();
    const scale = Math.min(320 / img.naturalWidth, 320 / img.naturalHeight, 2.5);
    const w = Math.round(img.naturalWidth * Math.max(scale, 1));
    const tall = Math.round(img.naturalHeight * Math.max(scale, 1));
    const left = Math.min(window.innerWidth - w - 12, box.right + 10);
    const top = Math.max(8, Math.min(window.innerHeight - tall - 12, box.top + box.height / 2 - tall / 2));
    peek.style.cssText = `left:${left}px;top:${top}px;width:${w}px;height:${tall}px`;
    peek.hidden = false;
  }

  hidePeek() {
    this.peekSource = null;
    this.peek.hidden = true;
  }

  // ---- the panel around the queue ------------------------------------------------------
  buildFilters() {
    const bar = $("#mod-filters");
    for (const [status, label] of FILTERS) {
      bar.append(h("button", { type: "button", class: `mod-filter filter-${status}`, dataset: { status },
        "aria-pressed": "false" },
      STATUS_MARK[status] ? h("span", { class: "mark", "aria-hidden": "true", text: STATUS_MARK[status] }) : null,
      label,
      status === "pending-first" ? null : h("span", { class: "n", text: "0" })));
    }
  }

  renderFilters() {
    const counts = this.counts(this.filter.prompt);
    for (const button of document.querySelectorAll("#mod-filters button[data-status]")) {
      const status = button.dataset.status;
      button.setAttribute("aria-pressed", status === this.filter.status ? "true" : "false");
      const n = button.querySelector(".n");
      if (n) setText(n, counts[status] || 0);
    }
  }

  renderSide() {
    const total = this.counts("");
    const pending = total.pending || 0;
    setText($("#mod-pending"), pending ? `${pending} waiting` : "all decided");
    $("#mod-pending").classList.toggle("has-pending", pending > 0);
    const pill = $("#view-pending");
    pill.hidden = !pending;
    setText(pill, pending);
    pill.title = `${pending} submission${pending === 1 ? "" : "s"} waiting for a decision`;

    const open = this.openPrompt;
    setText($("#mod-open-text"), open ? `${open.kind}: ${open.question || open.id}` : "No prompt open");
    $("#mod-open").classList.toggle("is-open", Boolean(open));
    $("#prompt-close").hidden = !open;
    setText($("#mod-joined"), this.joined === null ? "–" : String(this.joined));
    const link = $("#mod-join-url");
    setText(link, this.joinUrl ? this.joinUrl.replace(/^https?:\/\//, "") : "–");
    if (this.joinUrl && /^https?:\/\//.test(this.joinUrl)) link.href = this.joinUrl;
    else link.removeAttribute("href");
    this.renderFilters();

    const ids = this.prompts.map((p) => p.id);
    for (const id of [...Object.keys(this.baseStats), ...Object.keys(this.delta)]) if (!ids.includes(id)) ids.push(id);
    const rows = ids.map((id) => {
      const p = this.prompts.find((q) => q.id === id) || { id, kind: "?", question: id };
      return { ...p, counts: this.counts(id), tally: p.kind === "vote" ? (this.tallies || {})[id] || null : null };
    });
    const board = this.board || null;
    const signature = JSON.stringify([rows, total, this.filter.prompt, open && open.id, board]);
    if (signature === this.sideSignature) return;
    this.sideSignature = signature;
    const list = $("#mod-prompts");
    const focused = document.activeElement && list.contains(document.activeElement)
      ? document.activeElement.dataset.prompt : null;
    clear(list);
    list.append(h("li", {}, this.promptButton({ id: "", kind: "", question: "All prompts", counts: total })));
    for (const p of rows) {
      if (p.kind === "vote") {
        list.append(h("li", { class: "mod-prompt mod-prompt-vote", dataset: { promptRow: p.id } },
          h("span", { class: "mod-prompt-title" },
            h("span", { class: "mod-prompt-kind", text: "vote" }), h("span", { text: p.question })),
          open && open.id === p.id ? h("span", { class: "mod-prompt-open", text: "● open" }) : null,
          h("span", { class: "mod-counts" }, h("span", { class: "c c-counted", text: `${p.tally ? p.tally.total : p.counts.counted || 0} votes` })),
          tallyList(p.tally)));
      } else if (p.kind === "question") {
        // Q&A: the approved questions under their prompt while its cue is on stage.
        list.append(h("li", { class: "mod-prompt-qa" }, this.promptButton(p),
          board && board.prompt === p.id ? questionList(board) : null));
      } else {
        list.append(h("li", {}, this.promptButton(p)));
      }
    }
    if (focused !== null && focused !== undefined) {
      const again = list.querySelector(`button[data-prompt="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }

  promptButton(p) {
    const open = this.openPrompt && this.openPrompt.id === p.id;
    const c = p.counts;
    return h("button", {
      type: "button", class: `mod-prompt${open ? " is-open" : ""}`, dataset: { prompt: p.id, promptRow: p.id },
      "aria-pressed": this.filter.prompt === p.id ? "true" : "false",
      title: p.id ? `${p.question}: ${c.pending} pending, ${c.approved} approved, ${c.featured} featured, ${c.rejected} rejected` : "Every prompt",
    },
    h("span", { class: "mod-prompt-title" },
      p.kind ? h("span", { class: "mod-prompt-kind", text: p.kind }) : null,
      h("span", { class: "mod-prompt-question", text: p.question })),
    open ? h("span", { class: "mod-prompt-open", text: "● open" }) : null,
    h("span", { class: "mod-counts" },
      ...STATUSES.map((s) => h("span", {
        class: `c c-${s}${c[s] ? "" : " zero"}`, dataset: { status: s }, "aria-label": `${c[s] || 0} ${s}`,
      }, `${STATUS_MARK[s]} `, h("span", { class: "num", text: c[s] || 0 })))));
  }
}

function setCurrent(row, on) {
  row.classList.toggle("current", on);
  row.tabIndex = on ? 0 : -1;
  for (const control of row.querySelectorAll("button")) control.tabIndex = on ? 0 : -1;
}

/** Put `rows` into `list` in order, moving as few nodes as possible (focus and audio stay). */
function placeInOrder(list, rows) {
  const move = (node, before) => {
    if (node.isConnected && typeof list.moveBefore === "function") {
      try {
        list.moveBefore(node, before);
        return;
      } catch (_) { /* fall back */ }
    }
    list.insertBefore(node, before);
  };
  let node = list.firstElementChild;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (node === row) {
      node = node.nextElementSibling;
      continue;
    }
    // One row in the way that belongs further down (it was just decided): move that one.
    if (node && node.nextElementSibling === row && rows.indexOf(node, i + 1) > i) {
      const after = rows[rows.indexOf(node, i + 1) + 1];
      move(node, after && after.parentNode === list ? after : null);
      node = row.nextElementSibling;
      continue;
    }
    move(row, node);
  }
}

/** A vote's count per option, for the crew only: what the poll will reveal. */
export function tallyList(tally) {
  const options = tally && Array.isArray(tally.options) ? tally.options : [];
  if (!options.length) return null;
  const total = Number(tally.total) || 0;
  return h("ul", { class: "mod-tally", "aria-label": "Votes so far (not shown to the room)" },
    options.map((o) => {
      const votes = Number(o.votes) || 0;
      const bar = h("span", { class: "mod-tally-bar", "aria-hidden": "true" });
      bar.style.width = `${total ? Math.round((votes / total) * 100) : 0}%`;
      return h("li", { class: "mod-tally-option", dataset: { option: String(o.option) } },
        h("span", { class: "mod-tally-name", text: String(o.option) }),
        h("span", { class: "mod-tally-n", text: String(votes) }), bar);
    }));
}
