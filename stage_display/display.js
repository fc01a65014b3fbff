// The projector page: /display/<name>?key=…
//
// It renders the server's `state` snapshots (never older than the last one rendered), keeps
// media on the server clock, preloads the standby cue and tells the server what it shows.

import { ServerClock } from "/static/shared/clock.js";
import { Ramp } from "./fade.js";
import { Preloader } from "./preload.js";
import { Reactions } from "./reactions.js";
import { BLACKOUT_MS, Stage } from "./stage.js";
import { isStopped } from "./stopped.js";

const CLOCK_EVERY_MS = 10000;
const LINK_LOST_AFTER_MS = 1000;

const params = new URLSearchParams(location.search);
const key = params.get("key") || "";
const name = decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop() || "");
document.title = `liveshow · ${name}`;

const clock = new ServerClock();
let state = null;            // the last state rendered
let lastRev = 0;
let freshConnection = true;  // the first snapshot on a connection is the truth, whatever its rev
let take = 0;                // counts re-GOs of the same cue, so a restart dissolves in anew
let panicFadeMs = BLACKOUT_MS; // the server's panic_fade (its `config` event)
let masterVolume = 1;        // the crew's master volume (0..1), from the state
const problems = new Map();  // source -> what is wrong, reported to the crew
const CUE_PROBLEMS = ["media", "autoplay", "camera", "take"];   // belong to the cue on stage

function expectedPosition() {
  if (!state || !state.cue) return null;
  if (state.paused) return typeof state.position === "number" ? state.position : 0;
  const now = clock.now();
  if (now == null || typeof state.cue_started_at !== "number") return null;
  return Math.max(0, now - state.cue_started_at);
}

const ctx = {
  key,
  master: new Ramp(1, () => stage.applyVolume()),   // blackout and panic fade it
  volume: () => masterVolume,                         // the crew's master volume
  state: () => state,
  target: (cue) => (state && state.cue && cue && state.cue.id === cue.id
    ? { position: expectedPosition(), playing: !state.paused } : null),
  problem: setProblem,
  preloader: null,
};
const preloader = new Preloader(document.getElementById("preload"), {
  onReady: () => scheduleStatus(),
  onProblem: (msg) => setProblem("preload", msg),
});
ctx.preloader = preloader;
const stage = new Stage(document.getElementById("stage"), ctx);

// What changes while a cue is on stage without making it a new showing.
const LIVE_FIELDS = ["wall", "poll", "cloud", "audience"];
const JOIN_KINDS = ["join", "prompt"];

function layerKey(s) {
  if (!s.cue) return "none";
  const fixed = { ...s.cue };
  LIVE_FIELDS.forEach((f) => delete fixed[f]);
  if (fixed.take) fixed.take = fixed.take.id;      // crediting a take does not replay it
  const kind = s.cue.kind;
  const extra = JOIN_KINDS.includes(kind) ? s.join_url : kind === "credits" ? s.show : "";
  return JSON.stringify([fixed, extra, take]);
}

function restarted(prev, s) {
  // The same cue GOne again (not a pause/resume): cue_started_at moved while running.
  return prev && prev.cue && s.cue && prev.cue.id === s.cue.id && !prev.paused && !s.paused
    && prev.cue_started_at !== s.cue_started_at;
}

function onState(s) {
  if (!s || typeof s.rev !== "number") return;
  if (!freshConnection && s.rev < lastRev) return;      // an old message: never go back
  freshConnection = false;
  if (restarted(state, s)) take += 1;
  const prev = state;
  state = s;
  lastRev = s.rev;
  clock.sample(s.server_time);
  if (!prev || !s.cue || !prev.cue || prev.cue.id !== s.cue.id) {
    CUE_PROBLEMS.forEach((source) => problems.delete(source));
  }
  // The crew stopped the cue on stage (or every cue of its group): it fades out to black.
  const stopped = Boolean(s.cue && isStopped(s, s.cue.id));
  stage.show(stopped ? null : s.cue, (stopped ? "stopped:" : "") + layerKey(s));
  setMasterVolume(s.volume);
  stage.setBlackout(Boolean(s.blackout), !prev,
    s.blackout && s.panic && Number.isFinite(panicFadeMs) ? panicFadeMs : BLACKOUT_MS);
  stage.checkMedia();
  preloader.want(s.next, s, s.pending ? s.pending.cue : null);
  scheduleStatus();
}

function setMasterVolume(value) {
  const v = Number(value);
  const next = Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 1;
  if (next === masterVolume) return;
  masterVolume = next;
  stage.applyVolume();
}

// ---- reporting to the server ------------------------------------------------------------
function setProblem(source, message) {
  if (message) problems.set(source, String(message)); else problems.delete(source);
  scheduleStatus();
}

let statusQueued = false;
let lastStatus = "";
function scheduleStatus() {
  if (statusQueued) return;
  statusQueued = true;
  queueMicrotask(() => {
    statusQueued = false;
    const status = {
      showing: state && state.cue ? state.cue.id : null,
      preloaded: preloader.readyId,
      problem: problems.size ? [...problems.values()].join("; ").slice(0, 300) : null,
      rev: lastRev,
    };
    const text = JSON.stringify(status);
    if (!socket.connected || text === lastStatus) return;
    lastStatus = text;
    socket.emit("status", status);
  });
}

// ---- the connection ---------------------------------------------------------------------
const link = document.getElementById("link");
let linkTimer = null;
function linkLost(lost) {
  clearTimeout(linkTimer);
  if (!lost) link.hidden = true;
  else linkTimer = setTimeout(() => { link.hidden = false; }, LINK_LOST_AFTER_MS);
}

const socket = window.io("/display", {
  auth: (cb) => cb({ key, name, rev: lastRev }),
  reconnectionDelay: 500,
  reconnectionDelayMax: 1500,
});
socket.on("connect", () => {
  freshConnection = true;
  lastStatus = "";
  linkLost(false);
  clock.burst(socket, 6);
});
socket.on("disconnect", () => linkLost(true));
socket.on("connect_error", () => {
  linkLost(true);
  // A refusal (e.g. the display key changed) stops socket.io retrying by itself.
  if (!socket.active) setTimeout(() => socket.connect(), 5000);
});
socket.on("state", onState);
const reactions = new Reactions(document.getElementById("reactions"));
socket.on("reactions", (batch) => reactions.add(batch));
socket.on("config", (c) => {
  const seconds = c && Number(c.panic_fade);
  if (Number.isFinite(seconds) && seconds >= 0) panicFadeMs = seconds * 1000;
});
setInterval(() => { if (socket.connected) clock.burst(socket, 2, 200); }, CLOCK_EVERY_MS);
linkLost(true);

// ---- time ---------------------------------------------------------------------------------
function frame() {
  stage.tick(expectedPosition());
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
setInterval(() => stage.checkMedia(), 200);

// Someone clicked the projector page: the browser now allows sound.
for (const ev of ["pointerdown", "keydown"]) document.addEventListener(ev, () => stage.unblock());

// ---- a small read-only view for tests and for a person at the console ----------------------
window.liveshowDisplay = Object.freeze({
  get name() { return name; },
  get rev() { return state ? state.rev : null; },
  get cueId() { return state && state.cue ? state.cue.id : null; },
  get offset() { return clock.offset; },
  get rtt() { return clock.rtt; },
  get connected() { return socket.connected; },
  get volume() { return masterVolume; },
  videoPosition() {
    const video = stage.video;
    return video ? video.currentTime : null;
  },
  expectedPosition,
});
