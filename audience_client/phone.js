// The phone app: join with an artist handle and consent, answer the open prompt, keep every
// submission on the phone until the server has it, and hear when your work is on screen.
//
// The socket carries text, votes and questions; photos, drawings and sounds go over HTTP. Everything
// goes through the outbox (outbox.js), which keeps it in IndexedDB until acknowledged. This
// module holds the connection and what this phone is (its token, handle, whether it has
// joined); each screen's work is in its own module: joining.js, stage.js (prompts.js,
// thanks.js), sending.js, actions.js, featured.js, reactions.js, history.js and credit.js.

import { $, h } from "/static/shared/dom.js";
import { deviceId } from "./ids.js";
import * as db from "./db.js";
import { Outbox } from "./outbox.js";
import { renderHistory } from "./history.js";
import { renderClaim, saveClaim, withdraw } from "./credit.js";
import { KEYS, rememberJoined, saved } from "./saved.js";
import { OVER_SOCKET, sendOverSocket, upload } from "./sending.js";
import { promptActions } from "./actions.js";
import { Stage } from "./stage.js";
import { fillJoinForm, wireJoinForm } from "./joining.js";
import { wireFeatured } from "./featured.js";
import { wireReactions } from "./reactions.js";

const code = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
const device = deviceId();

let token = saved.get(KEYS.token);
rememberJoined(token);
let handle = saved.get(KEYS.handle);
let joined = false;          // the server recognised this connection (token or fresh join)
let welcomed = false;        // this connection's welcome has arrived
let terms = null;
let state = null;
let lastRev = 0;
let freshConnection = true;
let fatal = false;
let pendingCount = 0;        // unsent items, for the header of "My submissions"
let historyQueued = false;

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
    const before = stage.view;
    enterApp();
    // Back after a drop: what the open prompt shows may have moved meanwhile (the Q&A list).
    if (before === stage.view && before && before.onConnected) before.onConnected();
    outbox.kick();
    return;
  }
  joined = false;
  if (token) forgetToken();             // the server no longer knows this phone's token
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
  if (stage.view && stage.view.onQuestions) stage.view.onQuestions(data);
});

wireFeatured(socket, ui.featured, ui.featuredClose);
wireReactions(socket);
ui.fatalRetry.addEventListener("click", () => location.reload());

function forgetToken() {
  token = null;
  saved.drop(KEYS.token);
  rememberJoined(null);
}

// ---- joining ------------------------------------------------------------------------------
function showJoin() {
  fillJoinForm(ui, terms, handle);
  screen("join");
}

wireJoinForm(ui, socket, {
  terms: () => terms,
  newTerms: (changed) => {
    terms = changed;
    showJoin();
  },
  joined: (ack) => {
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
  },
});

function enterApp() {
  ui.whoami.replaceChildren("You are ", h("strong", { text: handle || "" }));
  if (screenName !== "app") screen("app");
}

// ---- the outbox -------------------------------------------------------------------------
const outbox = new Outbox({
  ready: (item) => {
    if (navigator.onLine === false) return false;
    if (OVER_SOCKET.includes(item.kind)) return socket.connected && joined;
    return Boolean(token);
  },
  send: (item) => (OVER_SOCKET.includes(item.kind)
    ? sendOverSocket(socket, item)
    : upload(item, token, () => {
      // The server no longer knows our token: ask the person to join again, keep the work.
      forgetToken();
      if (socket.connected) socket.disconnect().connect();
    })),
});

const app = promptActions(socket, outbox);

// ---- the stage: the open prompt, or what is on stage --------------------------------------
const stage = new Stage(ui.stage, { actions: app, store: saved, rerender: () => renderStage() });

function renderStage() {
  if (screenName !== "app") return;
  stage.render(state);
}

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
