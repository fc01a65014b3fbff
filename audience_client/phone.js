// The phone app: join with an artist handle and consent, answer the open prompt, keep every
// submission on the phone until the server has it, and hear when your work is on screen.
//
// The socket carries text, votes and questions; photos, drawings and sounds go over HTTP. Everything
// goes through the outbox (outbox.js), which keeps it in IndexedDB until acknowledged.

import { $, h } from "/static/shared/dom.js";
import { deviceId, submissionId } from "./ids.js";
import * as db from "./db.js";
import { Outbox } from "./outbox.js";
import { promptView } from "./prompts.js";
import { renderHistory } from "./history.js";
import { renderClaim, saveClaim, withdraw } from "./credit.js";
import { thanksView } from "./thanks.js";
import { request } from "./questions.js";

const code = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
const device = deviceId();
const SOCKET_TIMEOUT = 8000;
const UPLOAD_TIMEOUT = 120000;
const CLOSE_GRACE = 25000;      // the server takes answers for 30 s after a prompt closes
const KEYS = { token: "liveshow-token", handle: "liveshow-handle" };
const OVER_SOCKET = ["text", "vote", "question"];   // the other kinds are uploaded

const saved = {
  get: (k) => { try { return localStorage.getItem(k); } catch { return null; } },
  set: (k, v) => { try { localStorage.setItem(k, v); } catch { /* private mode */ } },
  drop: (k) => { try { localStorage.removeItem(k); } catch { /* private mode */ } },
};

let token = saved.get(KEYS.token);
rememberJoined(token);

/**
 * The join page lets a phone holding a live token back in on the link it came in on after
 * the crew rotates the code: it reads this cookie, which only that link is sent (so a wrong
 * code typed later is still "expired"). No token, no cookie.
 */
function rememberJoined(value) {
  const cookie = value
    ? `liveshow_joined=${encodeURIComponent(value)}; Max-Age=172800`
    : "liveshow_joined=; Max-Age=0";
  try {
    document.cookie = `${cookie}; Path=${location.pathname}; SameSite=Strict`;
  } catch { /* cookies blocked: a reload after a rotation needs the new QR code */ }
}
let handle = saved.get(KEYS.handle);
let joined = false;          // the server recognised this connection (token or fresh join)
let welcomed = false;        // this connection's welcome has arrived
let terms = null;
let state = null;
let lastRev = 0;
let freshConnection = true;
let fatal = false;
let current = { key: undefined, view: null };
let graceTimer = null;
let pendingCount = 0;        // unsent items, for the header of "My submissions"
let historyQueued = false;
let featuredTimer = null;

const ui = {
  title: $("#show-title"),
  conn: $("#conn"),
  offline: $("#offline-note"),
  connText: $("#conn-text"),
  screens: { connecting: $("#screen-connecting"), join: $("#screen-join"), app: $("#screen-app") },
  connectingText: $("#connecting-text"),
  joinForm: $("#join-form"),
  handle: $("#handle"),
  consent: $("#consent"),
  terms: $("#terms-text"),
  termsVersion: $("#terms-version"),
  joinError: $("#join-error"),
  joinButton: $("#join-button"),
  whoami: $("#whoami"),
  stage: $("#stage"),
  history: $("#history-list"),
  historyEmpty: $("#history-empty"),
  historyCount: $("#history-count"),
  featured: $("#featured"),
  featuredClose: $("#featured-close"),
  fatal: $("#screen-fatal"),
  fatalTitle: $("#fatal-title"),
  fatalMessage: $("#fatal-message"),
  fatalDetail: $("#fatal-detail"),
  fatalRetry: $("#fatal-retry"),
};

// ---- screens ------------------------------------------------------------------------------
let screenName = "connecting";
function screen(name) {
  screenName = name;
  for (const [key, el] of Object.entries(ui.screens)) el.hidden = key !== name;
  document.body.dataset.screen = name;
  if (name === "app") renderStage();
}

/** The status pill (a word or two) and, when offline, a line saying nothing is lost. */
function connection(kind, text, detail = "") {
  ui.conn.dataset.state = kind;
  ui.connText.textContent = text;
  ui.offline.hidden = kind !== "offline";
  refreshHistory();
  if (kind === "offline") {
    ui.offline.textContent = detail || "No connection to the show. What you send is kept on "
                                       + "this phone and goes out when you're back.";
  }
}

function showFatal(title, message, detail = "", canRetry = true) {
  fatal = true;
  ui.fatalRetry.hidden = !canRetry;
  ui.fatalTitle.textContent = title;
  ui.fatalMessage.textContent = message;
  ui.fatalDetail.textContent = detail;
  ui.fatal.hidden = false;
  for (const el of document.querySelectorAll(".top, main, #featured")) el.inert = true;
  document.body.dataset.screen = "fatal";
  (canRetry ? ui.fatalRetry : ui.fatalTitle).focus();
}

// ---- the socket ---------------------------------------------------------------------------
if (typeof io !== "function") {
  showFatal("The show app didn't load", "Check you're on the venue Wi-Fi, then reload.");
  throw new Error("socket.io client missing");
}

const socket = io("/audience", {
  transports: ["websocket", "polling"],
  tryAllTransports: true,         // a venue proxy without WebSocket still gets polling
  auth: (cb) => cb({ code, device, token: token || undefined, rev: lastRev }),
});

// Events the server sends while accepting the connection (welcome, state) may be delivered
// just before "connect" fires: nothing here depends on that order.
socket.on("connect", () => {
  if (!welcomed) connection("connecting", "Connecting…");
});

socket.on("disconnect", (reason) => {
  joined = false;
  welcomed = false;
  freshConnection = true;
  connection("offline", "Offline");
  if (reason === "io server disconnect" && !fatal) {
    setTimeout(() => { if (!fatal && !socket.connected) socket.connect(); }, 2000);
  }
});

socket.on("connect_error", async (err) => {
  const message = (err && err.message) || "could not connect";
  if (fatal) return;
  // Refused by the server itself (not a network failure): socket.io won't retry by itself.
  // Whether the link has expired is the join page's HTTP status, not the refusal's wording;
  // a refusal the server marks {retry: true} (a busy moment) is never an expired link.
  const retry = Boolean(err && err.data && err.data.retry);
  if (!socket.active && !retry && await linkExpired()) {
    socket.disconnect();
    showFatal("This join link has expired", "Scan the QR code on the screen again.",
              pendingCount > 0 ? `Your ${pendingCount} unsent item(s) are kept on this phone `
                                 + "and will send once you're back in." : "", false);
    return;
  }
  if (screenName === "connecting") {
    ui.connectingText.textContent = "Can't reach the show yet. Check you're on the venue "
                                    + "Wi-Fi; this page keeps trying.";
  }
  if (socket.active) {
    connection("offline", "Offline", navigator.onLine === false ? "" :
               "Can't reach the show: this page keeps trying. What you send is kept on this "
               + "phone meanwhile.");
    return;
  }
  connection("offline", "Offline", `The show turned this phone away (${message}). `
                                   + "Trying again in a moment.");
  setTimeout(() => { if (!fatal && !socket.connected) socket.connect(); },
             3000 + Math.random() * 4000);
});

/** True only when the server answers that this join link no longer exists (404). */
async function linkExpired() {
  try {
    const response = await fetch(location.pathname, { method: "HEAD", cache: "no-store" });
    return response.status === 404;
  } catch {
    return false;                       // no answer: a network problem, not an expired link
  }
}

socket.on("welcome", (data) => {
  welcomed = true;
  terms = data.terms || null;
  // Work featured while this phone was away (if the server lists it): mark it, quietly.
  for (const id of Array.isArray(data.featured) ? data.featured : []) {
    if (typeof id === "string") db.update(id, () => ({ status: "featured" }));
  }
  if (data.joined) {
    joined = true;
    handle = data.handle || handle;
    if (handle) saved.set(KEYS.handle, handle);
    connection("live", "Live");
    const before = current.view;
    enterApp();
    // Back after a drop: what the open prompt shows may have moved meanwhile (the Q&A list).
    if (before === current.view && before && before.onConnected) before.onConnected();
    outbox.kick();
    return;
  }
  joined = false;
  if (token) {                          // the server no longer knows this phone's token
    token = null;
    saved.drop(KEYS.token);
    rememberJoined(null);
  }
  connection("live", "Live");
  showJoin();
});

socket.on("state", (data) => {
  if (!data || typeof data !== "object") return;
  if (!freshConnection && typeof data.rev === "number" && data.rev < lastRev) return;
  freshConnection = false;
  lastRev = typeof data.rev === "number" ? data.rev : lastRev;
  state = data;
  if (data.show && data.show.title) {
    ui.title.textContent = data.show.title;
    document.title = data.show.title;
  }
  renderStage();
  refreshHistory();                   // the claim panel follows the show (and its end)
});

// Q&A: the approved questions, reordered as upvotes move (for the open question prompt).
socket.on("questions", (data) => {
  if (current.view && current.view.onQuestions) current.view.onQuestions(data);
});

socket.on("featured", async (data) => {
  const id = data && data.submission;
  if (typeof id === "string") await db.update(id, () => ({ status: "featured" }));
  ui.featured.hidden = false;
  document.body.classList.add("is-featured");
  try { if (navigator.vibrate) navigator.vibrate([200, 100, 200, 100, 400]); } catch { /* no */ }
  clearTimeout(featuredTimer);
  featuredTimer = setTimeout(hideFeatured, 20000);
});

// Reactions: applause and hearts float up the projector. The server limits them (a burst,
// then one a second); a refusal only says so here, nothing is queued.
for (const button of document.querySelectorAll("#reactions [data-react]")) {
  button.addEventListener("click", () => {
    button.classList.remove("sent");
    void button.offsetWidth;
    button.classList.add("sent");
    socket.timeout(SOCKET_TIMEOUT).emit("react", { kind: button.dataset.react }, (err, ack) => {
      $("#react-note").textContent = !err && ack && !ack.ok ? String(ack.error || "") : "";
    });
  });
}

// Work of this phone up on the projector's wall (among the others): say so, gently.
let onWallTimer = null;
socket.on("shown", async (data) => {
  const id = data && data.submission;
  if (typeof id !== "string") return;
  const item = await db.update(id, () => ({ shown: true }));
  if (!item) return;                  // not made on this phone (another tab's storage)
  const note = $("#on-wall");
  note.hidden = false;
  clearTimeout(onWallTimer);
  onWallTimer = setTimeout(() => { note.hidden = true; }, 15000);
});

function hideFeatured() {
  ui.featured.hidden = true;
  document.body.classList.remove("is-featured");
}
ui.featuredClose.addEventListener("click", hideFeatured);

ui.fatalRetry.addEventListener("click", () => location.reload());

// ---- joining ------------------------------------------------------------------------------
function showJoin() {
  ui.terms.replaceChildren(...termsParagraphs(terms ? terms.text : ""));
  ui.termsVersion.textContent = terms ? `Terms version ${terms.version}` : "";
  if (!ui.handle.value && handle) ui.handle.value = handle;
  screen("join");
}

/** The terms arrive as wrapped lines; each sentence-ending line ends a paragraph. */
function termsParagraphs(text) {
  const paragraphs = [];
  let buffer = [];
  for (const line of String(text).split("\n")) {
    buffer.push(line.trim());
    if (/[.!?:]$/.test(line.trim())) {
      paragraphs.push(buffer.join(" "));
      buffer = [];
    }
  }
  if (buffer.join("").trim()) paragraphs.push(buffer.join(" "));
  return paragraphs.map((p) => h("p", { text: p }));
}

function joinError(text) {
  ui.joinError.textContent = text;
}

ui.joinForm.addEventListener("submit", (e) => {
  e.preventDefault();
  joinError("");
  const name = ui.handle.value.normalize("NFC").trim();
  if (!name) {
    joinError("Please choose an artist name.");
    ui.handle.focus();
    return;
  }
  if ([...name].length > 32) {
    joinError("That name is too long: 32 characters at most.");
    ui.handle.focus();
    return;
  }
  if (!ui.consent.checked) {
    joinError("Please read the terms and tick “I agree” to take part.");
    ui.consent.focus();
    return;
  }
  if (!socket.connected || !terms) {
    joinError("Not connected to the show yet: check the Wi-Fi, then try again.");
    return;
  }
  ui.joinButton.disabled = true;
  ui.joinButton.textContent = "Joining…";
  socket.timeout(SOCKET_TIMEOUT).emit("join", {
    handle: name, consent: { accepted: true, terms_version: terms.version },
  }, (err, ack) => {
    ui.joinButton.disabled = false;
    ui.joinButton.textContent = "Join";
    if (err) {
      joinError("The show didn't answer: check the Wi-Fi, then try again.");
      return;
    }
    if (!ack || !ack.ok) {
      const reason = (ack && ack.error) || "the show refused to join";
      if (ack && ack.terms && terms && ack.terms.version !== terms.version) {
        terms = ack.terms;              // the terms changed meanwhile: they must be read anew
        ui.consent.checked = false;
        showJoin();
      }
      joinError(`Couldn't join: ${reason}`);
      return;
    }
    token = ack.token;
    handle = ack.handle;
    saved.set(KEYS.token, token);
    rememberJoined(token);
    saved.set(KEYS.handle, handle);
    saveClaim(saved, ack.claim);
    joined = true;
    connection("live", "Live");
    enterApp();
    outbox.kick();
  });
});

function enterApp() {
  ui.whoami.replaceChildren("You are ", h("strong", { text: handle || "" }));
  if (screenName !== "app") screen("app");
}

// ---- the stage: the open prompt, or what is on stage --------------------------------------
const CUE_WORDS = { title: "a title", record: "a film", slide: "a slide", join: "how to join",
                    prompt: "a question for you", wall: "your answers", poll: "the poll results",
                    camera: "a live camera", replay: "a replay", credits: "the credits",
                    blackout: "darkness" };

function onStageText() {
  if (!state) return "Connecting to the show…";
  if (state.blackout) return "The stage is dark.";
  const cue = state.cue;
  if (!cue) return "The show hasn't started yet.";
  const name = cue.title || cue.subtitle || CUE_WORDS[cue.kind] || cue.kind;
  return `On stage now: ${name}`;
}

function waitingView() {
  const el = h("section", { class: "waiting", "aria-live": "polite" },
    h("div", { class: "pulse", "aria-hidden": "true" }),
    h("h2", { text: "Waiting for the next prompt" }),
    h("p", { class: "on-stage", id: "on-stage", text: onStageText() }),
    h("p", { class: "hint", text: "Keep this page open: when the room is asked for something, "
                                  + "it appears here." }));
  return { el, waiting: true, dirty: () => false };
}

function renderStage() {
  if (screenName !== "app") return;
  const prompt = state ? state.prompt : null;
  const ended = Boolean(state && state.ended && !prompt);
  const key = prompt ? JSON.stringify(prompt) : (ended ? "ended" : null);
  if (key === current.key) {
    if (current.view && current.view.waiting) $("#on-stage").textContent = onStageText();
    return;
  }
  if (!prompt && current.view && !current.view.waiting && current.view.dirty()) {
    // The prompt just closed while something was being made: keep it a little, it can still
    // be sent (the server accepts late answers for a short while).
    if (!graceTimer) {
      graceTimer = setTimeout(() => { graceTimer = null; current.key = undefined; renderStage(); },
                              CLOSE_GRACE);
      current.view.el.prepend(h("p", { class: "closing", role: "alert",
                                       text: "This prompt has just closed: send now if you're "
                                             + "ready!" }));
    }
    return;
  }
  clearTimeout(graceTimer);
  graceTimer = null;
  if (current.view && current.view.destroy) current.view.destroy();
  const opening = prompt && current.key !== undefined;
  document.body.classList.toggle("is-ended", ended);
  let view;
  if (prompt) view = promptView(prompt, app);
  else if (ended) view = thanksView({ state, store: saved, items: db.all() });
  else view = waitingView();
  current = { key, view };
  ui.stage.replaceChildren(current.view.el);
  if (opening) {
    try { if (navigator.vibrate) navigator.vibrate(80); } catch { /* fine */ }
  }
}

// ---- the outbox -------------------------------------------------------------------------
// Whether a refusal is worth another try is the server's call: `retry: true` in a socket
// acknowledgement, the status code (and Retry-After) over HTTP. Its words are for people.
function sendOverSocket(item) {
  const payload = item.kind === "vote"
    ? { id: item.id, prompt: item.prompt, kind: "vote", option: item.option }
    : { id: item.id, prompt: item.prompt, kind: item.kind, text: item.text };
  return new Promise((resolve) => {
    socket.timeout(SOCKET_TIMEOUT).emit("submit", payload, (err, ack) => {
      if (err) resolve({ outcome: "retry", reason: "the show didn't answer in time" });
      else if (ack && ack.ok) resolve({ outcome: "sent", status: ack.status });
      else if (ack && ack.retry) resolve({ outcome: "retry", reason: ack.error || "the show is busy" });
      else resolve({ outcome: "rejected", reason: (ack && ack.error) || "refused by the show" });
    });
  });
}

async function upload(item) {
  const form = new FormData();
  form.append("id", item.id);
  form.append("prompt", item.prompt);
  form.append("kind", item.kind);
  form.append("file", new Blob([item.file.data], { type: item.file.type }), item.file.name);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), UPLOAD_TIMEOUT);
  let response;
  try {
    response = await fetch("/api/submissions", {
      method: "POST", body: form, signal: abort.signal, cache: "no-store",
      headers: { Authorization: `Bearer ${token}` },
    });
  } catch {
    return { outcome: "retry", reason: "no network" };
  } finally {
    clearTimeout(timer);
  }
  let body = {};
  try { body = await response.json(); } catch { /* not JSON: a proxy's page */ }
  const s = response.status;
  if (s === 200 || s === 201) return { outcome: "sent", status: body.status };
  if (s === 401) {
    // The server no longer knows our token: ask the person to join again, keep the work.
    token = null;
    saved.drop(KEYS.token);
    rememberJoined(null);
    if (socket.connected) socket.disconnect().connect();
    return { outcome: "retry", reason: "join again to send this" };
  }
  if (s === 408 || s === 425 || s === 429 || s >= 500 || body.retry === true) {
    return { outcome: "retry", reason: body.error || `the show is busy (HTTP ${s})`,
             after: retryAfter(response) };
  }
  return { outcome: "rejected", reason: body.error || `refused (HTTP ${s})` };
}

/** Retry-After in seconds (a number of seconds or an HTTP date), or null. */
function retryAfter(response) {
  const value = response.headers.get("Retry-After");
  if (!value) return null;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, seconds) : null;
}

const outbox = new Outbox({
  ready: (item) => {
    if (navigator.onLine === false) return false;
    if (OVER_SOCKET.includes(item.kind)) return socket.connected && joined;
    return Boolean(token);
  },
  send: (item) => (OVER_SOCKET.includes(item.kind) ? sendOverSocket(item) : upload(item)),
});

const settledWaiters = new Map();
outbox.addEventListener("settled", (e) => {
  const waiter = settledWaiters.get(e.detail.id);
  if (waiter) {
    settledWaiters.delete(e.detail.id);
    waiter(e.detail);
  }
});

const toBuffer = (blob) => new Response(blob).arrayBuffer();

/** What prompt views may do: keep work on the phone and send it (see prompts.js). */
const app = {
  online: () => navigator.onLine !== false && socket.connected,
  queueText: (prompt, text) => outbox.add({ id: submissionId(), prompt: prompt.id,
                                            question: prompt.question, kind: "text", text }),
  queueQuestion: (prompt, text) => outbox.add({ id: submissionId(), prompt: prompt.id,
                                                question: prompt.question, kind: "question",
                                                text }),
  queueVote: (prompt, option) => outbox.add({ id: submissionId(), prompt: prompt.id,
                                              question: prompt.question, kind: "vote", option }),
  async queueUpload(prompt, kind, blob, name, meta = {}) {
    const file = { data: await toBuffer(blob), type: blob.type || "application/octet-stream",
                   name };
    const thumb = meta.thumb ? { data: await toBuffer(meta.thumb), type: meta.thumb.type } : null;
    return outbox.add({ id: submissionId(), prompt: prompt.id, question: prompt.question, kind,
                        file, thumb, name: meta.name || name, width: meta.width,
                        height: meta.height, duration: meta.duration });
  },
  whenSettled(id, callback) {
    settledWaiters.set(id, callback);
    db.get(id).then((item) => {       // already settled before we started listening?
      if (item && item.state !== "pending" && settledWaiters.get(id) === callback) {
        settledWaiters.delete(id);
        callback(item);
      }
    });
  },
  questions: (promptId) => request(socket, "questions", { prompt: promptId }),
  upvote: (question, up) => request(socket, "upvote", { question, up }),
  async myQuestions(promptId) {
    return (await db.all()).filter((i) => i.kind === "question" && i.prompt === promptId)
      .map((i) => i.id);
  },
  async currentVote(promptId) {
    const votes = (await db.all()).filter((i) => i.kind === "vote" && i.prompt === promptId);
    return votes.length ? votes[votes.length - 1] : null;
  },
};

// ---- "My submissions" -------------------------------------------------------------------
function refreshHistory() {
  if (historyQueued) return;
  historyQueued = true;
  requestAnimationFrame(async () => {
    historyQueued = false;
    const items = await db.all();
    pendingCount = items.filter((i) => i.state === "pending").length;
    const shown = renderHistory(ui.history, items, { online: app.online(), onWithdraw });
    ui.historyEmpty.hidden = shown > 0;
    renderClaim($("#claim"), { store: saved, state, items });
    ui.historyCount.textContent = pendingCount ? `${pendingCount} waiting to send` : "";
  });
}
async function onWithdraw(id) {
  const sure = window.confirm("Take this back? It leaves the big screen, and the community's "
                              + "catalogue if it was already there. You can't undo this.");
  if (!sure) return;
  const ack = await withdraw(socket, id);
  if (ack.ok) await db.update(id, () => ({ status: "withdrawn", shown: false }));
  else window.alert(`Couldn't take it back: ${ack.error || "refused"}`);
}

db.changes.addEventListener("change", refreshHistory);
outbox.addEventListener("status", refreshHistory);

// ---- coming back ------------------------------------------------------------------------
/** Connect now, skipping whatever is left of socket.io's reconnection back-off. */
function reconnectNow() {
  if (fatal || socket.connected) return;
  socket.disconnect();
  socket.connect();
}

window.addEventListener("online", () => {
  reconnectNow();
  outbox.kick();
});
window.addEventListener("offline", () => connection("offline", "Offline"));
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState !== "visible") return;
  reconnectNow();
  outbox.kick();
});

// ---- start --------------------------------------------------------------------------------
db.durable().then((kept) => {
  if (!kept) {
    ui.historyEmpty.textContent = "This browser won't keep unsent work if the page closes: "
                                  + "keep it open until your work shows as sent.";
  }
});
outbox.prune().catch(() => {});
refreshHistory();
if (token) enterApp();          // joined before: straight back in while the socket connects
outbox.kick();                  // uploads can go before the socket is up
