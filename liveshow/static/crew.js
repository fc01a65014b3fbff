// The crew dashboard: renders the server's `state` and sends operator actions on /crew.
import { $, clear, h, isTyping, setText } from "./shared/dom.js";
import { ServerClock } from "./shared/clock.js";
import { clockTime, fadesLine, timeOfDay } from "./time.js";
import { CrewConnection } from "./connection.js";
import { CueList } from "./cuelist.js";
import { creditsOf, creditsTooltip, cueLabel, kindLabel } from "./cuenames.js";
import { Transport } from "./transport.js";
import { CueEditor } from "./editor.js";
import { renderDisplays } from "./displays.js";
import { installPreflight } from "./preflight.js";
import { confirmAction, dialogOpen } from "./confirm.js";
import { reportAck } from "./toast.js";
import { Moderation } from "./moderation.js";
import { questionBoard, questionSummary } from "./questions.js";
import { Cameras } from "./cameras.js";
import { SyncPanel } from "./sync.js";
import { Sparklines } from "./sparklines.js";
import { installLogoutEverywhere } from "./logout.js";

const TICK_MS = 100;
const VIEWS = ["cues", "split", "moderation", "cameras"];
const VIEW_KEY = "liveshow.crew.view";
const CONNECTION_TEXT = {
  connecting: "Connecting…",
  connected: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  "logged-out": "Logged out",
};

let state = null;
let lastRev = -1;
let phonesJoined = null;   // the top bar's count: from every state and every `stats`
const clock = new ServerClock();
const getState = () => state;

const connection = new CrewConnection({ onState, onStatus });
connection.on("stats", (stats) => {
  showDisk(stats && stats.disk);
  showPhones(stats);
});
const cueList = new CueList({
  onSelect: (cue) => {
    renderSelected(cue);
    editor.updateSelection(cue);
  },
  onActivate: (id) => transport.gotoCue(id),
  onMove: (id, to) => editor.moveTo(id, to),
});
const transport = new Transport({ connection, clock, cueList, getState });
const editor = new CueEditor({ connection, cueList, getState });
const moderation = new Moderation({ connection, onWantView: wantView });
const cameras = new Cameras({ connection, onWantView: wantView });
const syncPanel = new SyncPanel({ connection });
const sparklines = new Sparklines({ connection });
installViewSwitch();
installPreflight({ connection, clock, getState, onPickCue: (id) => cueList.select(id, { focus: true, scroll: true }) });
installModeSwitch();
installKeyboard();
installLogoutEverywhere();
setInterval(tick, TICK_MS);

function onStatus(status) {
  const box = $("#connection");
  box.className = `connection connection-${status}`;
  setText(box.querySelector(".connection-text"), CONNECTION_TEXT[status] || status);
  document.body.classList.toggle("offline", status !== "connected");
  if (status === "connected") {
    lastRev = -1;        // a fresh snapshot follows every (re)connect
    clock.reset();
  }
}

function onState(next) {
  if (!next || typeof next !== "object" || typeof next.rev !== "number") return;
  clock.sample(next.server_time);
  if (next.rev < lastRev) return;   // an older snapshot overtaken by a newer one
  lastRev = next.rev;
  state = next;
  showPhones(next.stats);
  render();
}

/** The data folder short of space (under min_free_mb): said before a full disk refuses work.
 *  From every state, and from `stats`, which phones' uploads (what fills it) bring. */
function showDisk(disk) {
  const short = Boolean(disk) && Number.isFinite(disk.free) && disk.free < disk.floor;
  $("#disk-badge").hidden = !short;
  setText($("#disk-badge"), short ? `Disk ${Math.floor(disk.free / 1024 ** 2)} MB free` : "");
}

/** Phones joined tonight, in the top bar. A join brings a `stats` (no new state), so the count
 *  follows those too; render() leaves it alone, as a re-render of the last state may be older. */
function showPhones(stats) {
  if (stats && typeof stats.joined === "number") phonesJoined = stats.joined;
  $("#audience-stat").hidden = phonesJoined === null;
  setText($("#audience-stat"), phonesJoined === null ? "" : `Phones ${phonesJoined}`);
}

function render() {
  const title = (state.show && state.show.title) || "Untitled show";
  setText($("#show-title"), title);
  document.title = `${title} · Crew · liveshow`;
  document.body.classList.remove("mode-unknown", "mode-edit", "mode-rehearsal", "mode-show");
  document.body.classList.add(`mode-${state.mode}`);
  document.body.classList.toggle("is-blackout", Boolean(state.blackout));
  for (const radio of document.querySelectorAll('#mode-switch input[name="mode"]')) {
    radio.checked = radio.value === state.mode;
  }
  $("#blackout-badge").hidden = !state.blackout;
  showDisk(state.disk);
  const prompt = state.prompt && typeof state.prompt === "object" ? state.prompt : null;
  $("#prompt-open").hidden = !prompt;
  const tally = prompt && state.tallies ? state.tallies[prompt.id] : null;
  const counted = tally && Array.isArray(tally.options)
    ? ` · votes so far: ${tally.options.map((o) => `${o.option} ${o.votes}`).join(", ")}` : "";
  const asked = prompt && prompt.kind === "question" ? questionSummary(questionBoard(state)) : "";
  setText($("#prompt-open"), prompt ? `Prompt open (${prompt.kind || "?"}): ${prompt.question || prompt.id || ""}${counted}${asked}` : "");
  cueList.render(state);
  transport.render(state);
  editor.render(state);
  editor.afterRender();
  renderDisplays(state, cueList.numbers);
  moderation.onState(state);
  cameras.onState(state);
  syncPanel.render(state);
  sparklines.onState(state);
  tick();
}

/** The cue list, both side by side, or the moderation queue on its own. */
function setView(view) {
  if (!VIEWS.includes(view)) view = "cues";
  for (const v of VIEWS) document.body.classList.toggle(`view-${v}`, v === view);
  for (const button of document.querySelectorAll("#view-switch [data-view]")) {
    button.setAttribute("aria-pressed", button.dataset.view === view ? "true" : "false");
  }
  try {
    localStorage.setItem(VIEW_KEY, view);
  } catch (_) { /* private mode: the choice just is not remembered */ }
  cameras.onView(view);
}

const currentView = () => VIEWS.find((v) => document.body.classList.contains(`view-${v}`)) || "cues";

/** M: the queue wants to be seen (or the cue list does); keep the other one if it fits. */
function wantView(what) {
  const view = currentView();
  if (what === "queue" && (view === "cues" || view === "cameras")) setView("split");
  if (what === "cameras") setView("cameras");
  if (what === "cues") {
    if (view === "moderation") setView("split");
    cueList.select(cueList.selectedId, { focus: true, scroll: true });
  }
}

function installViewSwitch() {
  let stored = null;
  try {
    stored = localStorage.getItem(VIEW_KEY);
  } catch (_) { /* ignore */ }
  setView(stored || "cues");
  for (const button of document.querySelectorAll("#view-switch [data-view]")) {
    button.addEventListener("click", () => setView(button.dataset.view));
  }
}

function tick() {
  if (!state) return;
  const now = clock.now();
  setText($("#wall-clock"), timeOfDay(now));
  transport.tick(state);
  cueList.tick(state, now);
}

function renderSelected(cue) {
  const box = $("#selected-detail");
  clear(box);
  if (!cue) {
    box.append(h("dd", { class: "muted", text: "No cue selected." }));
    return;
  }
  const rows = [
    ["Cue", cueLabel(cue, cueList.numberOf(cue.id))],
    ["Id", cue.id],
    ["Kind", kindLabel(cue)],
  ];
  if (cue.subtitle) rows.push(["Subtitle", cue.subtitle]);
  if (cue.media) rows.push(["Media", cue.media]);
  if (cue.text) rows.push(["Text", cue.text]);
  if (cue.prompt) {
    rows.push(["Asks", `${cue.prompt.kind}: ${cue.prompt.question}`]);
    if (cue.prompt.options && cue.prompt.options.length) rows.push(["Options", cue.prompt.options.join("\n")]);
  }
  if (cue.source) {
    const source = cueList.cue(cue.source);
    rows.push(["Answers to", source ? cueLabel(source, cueList.numberOf(source.id)) : cue.source]);
  }
  if (cue.effective_duration) rows.push(["Length", clockTime(cue.effective_duration) + (cue.duration === null ? " (from the file)" : "")]);
  const credits = creditsOf(cue);  // a catalogue record's pulled credits too
  if (credits.length) rows.push(["Credits", creditsTooltip(credits)]);
  if (cue.media_info) {
    const info = cue.media_info;
    rows.push(["Media check", info.playable && !info.problems.length ? `✓ plays (${info.mime})` : `✗ ${info.problems.join("; ") || "does not play"}`]);
  }
  const sound = fadesLine(cue);
  if (sound) rows.push(["Fades", sound]);
  if (cue.notes) rows.push(["Notes", cue.notes]);
  for (const [term, value] of rows) {
    box.append(h("dt", { text: term }), h("dd", { text: value, class: term === "Notes" ? "notes" : "" }));
  }
}

function installModeSwitch() {
  for (const radio of document.querySelectorAll('#mode-switch input[name="mode"]')) {
    radio.addEventListener("change", async () => {
      if (!radio.checked || !state || radio.value === state.mode) return;
      const mode = radio.value;
      if (state.mode === "show") {
        const sure = await confirmAction({
          title: "Leave show mode?",
          message: `Switch to ${mode} mode? The GO spacing guard is lifted${mode === "edit" ? " and the cue list unlocks" : ""}.`,
          confirmLabel: `Switch to ${mode}`,
          danger: true,
        });
        if (!sure) {
          render();
          return;
        }
      }
      const ack = reportAck(await connection.request("mode", { mode }), `Switch to ${mode} mode`);
      if (!ack.ok && state) render();
    });
  }
}

function installKeyboard() {
  document.addEventListener("keydown", (e) => {
    if (dialogOpen() || e.ctrlKey || e.metaKey) return;   // dialogs own the keyboard
    if (e.key === "Escape") {
      e.preventDefault();
      // Esc while typing leaves the field: a crew member finishing a name must not black
      // out the stage. A second Esc (now out of the field) is Panic.
      if (isTyping(e.target)) {
        e.target.blur();
        return;
      }
      if (!e.repeat) transport.panic();
      return;
    }
    if (isTyping(e.target)) return;
    if (cameras.handleKey(e)) return;       // Shift+R in the camera panel; sliders keep their arrows
    if (moderation.handleKey(e)) return;    // J K A F R X in the queue, M anywhere
    const onControl = e.target instanceof Element && e.target.closest("button, a, summary, label, input");
    // With the cue list hidden (Queue or Cameras view), never act on a selection nobody can see.
    if (["moderation", "cameras"].includes(currentView()) && ["Enter", "ArrowUp", "ArrowDown", "Home", "End"].includes(e.key)) return;
    switch (e.key) {
      case " ":
        e.preventDefault();        // Space is GO everywhere, never "click the focused button"
        if (!e.repeat) transport.go();
        break;
      case "Enter":
        if (onControl) return;     // Enter on a button presses that button
        e.preventDefault();
        if (!e.repeat) transport.gotoSelected();
        break;
      case "Backspace":
        e.preventDefault();
        if (!e.repeat) transport.back();
        break;
      case "b":
      case "B":
        if (!e.repeat && !e.altKey) transport.toggleBlackout();
        break;
      case "p":
      case "P":
        if (!e.repeat && !e.altKey) transport.pauseOrResume();
        break;
      case "ArrowUp":
      case "ArrowDown":
        if (e.target instanceof Element && e.target.closest("#mode-switch")) return;
        e.preventDefault();
        if (e.altKey) editor.move(e.key === "ArrowUp" ? -1 : 1);
        else cueList.moveSelection(e.key === "ArrowUp" ? -1 : 1);
        break;
      case "Home":
      case "End":
        e.preventDefault();
        cueList.moveSelection(e.key === "Home" ? -Infinity : Infinity);
        break;
      default:
    }
  });
  // A focused button fires its click on Space's keyup: stop it, Space is GO and nothing else.
  document.addEventListener("keyup", (e) => {
    if (e.key === " " && !isTyping(e.target) && !dialogOpen()) e.preventDefault();
  });
}
