// One view per prompt kind. A view is built once per open prompt and kept while that prompt
// stays open, so state broadcasts never wipe what someone is writing or drawing.
// Views hand finished work to `app` (which stores it, then sends it) and never talk to the
// network themselves.

import { h } from "/static/shared/dom.js";
import { formatBytes, formatSeconds } from "./format.js";
import { DrawingPad } from "./drawing.js";
import { preparePhoto, thumbnail } from "./photo.js";
import { audioDuration } from "./audio.js";
import { icon } from "./icons.js";
import { questionBoard } from "./questions.js";

const KIND_LABEL = { text: "Write", photo: "Photo", drawing: "Draw", audio: "Sound",
                     vote: "Vote", question: "Q&A" };
const AUDIO_MAX_BYTES = 20 << 20;

/** Code points, like the server counts (after NFC and trimming). */
export function textLength(text) {
  return [...text.normalize("NFC").trim()].length;
}

function header(prompt) {
  return h("header", { class: "prompt-head" },
    h("p", { class: "kicker", text: KIND_LABEL[prompt.kind] || prompt.kind }),
    h("h2", { id: "prompt-question", text: prompt.question || "Your turn" }));
}

function note() {
  return h("p", { class: "note", role: "status", "aria-live": "polite" });
}

function say(el, text, tone = "") {
  el.textContent = text;
  el.dataset.tone = tone;
}

/** Tell the person what happened to the work they just handed over. */
function follow(app, item, line, sentText) {
  say(line, app.online() ? "Sending…" : "Saved on your phone: it will send when you're back "
                                        + "online.", "pending");
  app.whenSettled(item.id, (done) => {
    if (done.state === "sent") say(line, sentText, "ok");
    else say(line, `Not accepted: ${done.reason}`, "bad");
  });
}

function filePicker(id, accept, capture, labelText, iconName) {
  const input = h("input", { type: "file", id, accept, capture, class: "visually-hidden" });
  const label = h("label", { for: id, class: "button file-button" }, icon(iconName), labelText);
  return { input, label };
}

// ---- text -----------------------------------------------------------------------------
/**
 * A box to write in, with its counter and send button: a text answer, or a Q&A question.
 * `words`: the ids of the box, its counter and its button, the label, the button's word,
 * `queue(text)` (keeps it in the outbox) and what to say once it is sent.
 */
const SHORT_ANSWER = 40;  // characters: a prompt this short asks for a word or a phrase

function textForm(prompt, app, words) {
  const max = prompt.max_length || 280;
  const draftKey = `liveshow-draft-${prompt.id}`;
  const { areaId, countId, sendId } = words;
  const short = max <= SHORT_ANSWER;  // a word or a few: one line, not a page to fill
  const area = h("textarea", { id: areaId, rows: short ? 1 : words.rows || 5,
                               class: short ? "short-answer" : null,
                               "aria-describedby": countId, autocomplete: "off" });
  try { area.value = sessionStorage.getItem(draftKey) || ""; } catch { /* private mode */ }
  const count = h("p", { id: countId, class: "counter" });
  const send = h("button", { type: "submit", class: "primary", id: sendId,
                             text: words.send });
  const line = note();
  const form = h("form", { class: "answer", novalidate: true },
    h("label", { for: areaId, class: "field-label", text: words.label }),
    area, count, send, line);

  function refresh() {
    const n = textLength(area.value);
    const over = n > max;
    count.textContent = over ? `${n} / ${max} · ${n - max} too many` : `${n} / ${max}`;
    count.dataset.tone = over ? "bad" : n > max * 0.9 ? "warn" : "";
    area.setAttribute("aria-invalid", over ? "true" : "false");
    try { sessionStorage.setItem(draftKey, area.value); } catch { /* fine */ }
  }
  area.addEventListener("input", refresh);
  if (short) {  // one line: Enter sends, as in a search box
    area.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.isComposing) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
  }
  refresh();

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = area.value.normalize("NFC").trim();
    const n = textLength(text);
    if (!n) {
      say(line, "Write something first.", "bad");
      area.focus();
      return;
    }
    if (n > max) {
      say(line, `That is ${n - max} characters too long: the limit is ${max}.`, "bad");
      area.focus();
      return;
    }
    send.disabled = true;
    area.value = "";            // at once: what is typed next belongs to the next answer
    refresh();
    try {
      const item = await words.queue(text);
      follow(app, item, line, words.sent);
    } catch (err) {
      if (!area.value) area.value = text;
      refresh();
      say(line, `Could not save it on this phone: ${err.message}`, "bad");
    } finally {
      send.disabled = false;
    }
  });
  return { form, dirty: () => area.value.trim() !== "" };
}

function textView(prompt, app) {
  const { form, dirty } = textForm(prompt, app, {
    areaId: "answer-text", countId: "text-count", sendId: "send-text", label: "Your answer",
    send: "Send",
    queue: (text) => app.queueText(prompt, text), sent: "Sent ✓ Write another if you like." });
  return { el: h("section", { class: "prompt", "data-kind": "text" }, header(prompt), form),
           dirty };
}

// ---- question (Q&A) ---------------------------------------------------------------------
// Ask (moderated like a text answer, kept in the outbox until acknowledged), then upvote the
// room's approved questions below (questions.js).
function questionView(prompt, app) {
  const { form, dirty } = textForm(prompt, app, {
    areaId: "question-text", countId: "question-count", sendId: "send-question",
    label: "Your question", send: "Ask", rows: 3,
    queue: (text) => app.queueQuestion(prompt, text),
    sent: "Sent ✓ The crew reads every question first: once approved, it joins the list." });
  const board = questionBoard(prompt, app);
  return { el: h("section", { class: "prompt", "data-kind": "question" }, header(prompt), form,
                 board.el),
           dirty, onQuestions: board.update, onConnected: board.refresh };
}

// ---- photo ----------------------------------------------------------------------------
function photoView(prompt, app) {
  const camera = filePicker("photo-camera", "image/*", "environment", "Take a photo", "camera");
  const gallery = filePicker("photo-gallery", "image/*", null, "Choose from gallery", "gallery");
  const img = h("img", { alt: "Your photo, ready to send", class: "preview-image" });
  const caption = h("figcaption");
  const figure = h("figure", { class: "preview", hidden: true }, img, caption);
  const send = h("button", { type: "button", class: "primary", id: "send-photo",
                             text: "Send photo", hidden: true });
  const line = note();
  let ready = null;
  let url = null;

  async function picked(input) {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    say(line, "Preparing your photo…", "pending");
    send.hidden = true;
    try {
      ready = await preparePhoto(file);
    } catch (err) {
      ready = null;
      figure.hidden = true;
      say(line, err.message || "This picture can't be read here.", "bad");
      return;
    }
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(ready.blob);
    img.src = url;
    caption.textContent = `${ready.width} × ${ready.height} · ${formatBytes(ready.blob.size)}`;
    figure.hidden = false;
    send.hidden = false;
    say(line, "Happy with it? Send it, or take another.", "");
  }
  camera.input.addEventListener("change", () => picked(camera.input));
  gallery.input.addEventListener("change", () => picked(gallery.input));

  send.addEventListener("click", async () => {
    if (!ready) return;
    const photo = ready;
    ready = null;
    figure.hidden = true;
    send.hidden = true;
    try {
      const item = await app.queueUpload(prompt, "photo", photo.blob, "photo.jpg",
                                         { thumb: photo.thumb, width: photo.width,
                                           height: photo.height });
      follow(app, item, line, "Photo sent ✓ Take another if you like.");
    } catch (err) {
      if (!ready) {
        ready = photo;
        figure.hidden = false;
        send.hidden = false;
      }
      say(line, `Could not save it on this phone: ${err.message}`, "bad");
    } finally {
      send.disabled = false;
    }
  });
  const el = h("section", { class: "prompt", "data-kind": "photo" }, header(prompt),
    h("div", { class: "pickers" }, camera.input, camera.label, gallery.input, gallery.label),
    figure, send, line);
  return { el, dirty: () => ready !== null,
           destroy: () => { if (url) URL.revokeObjectURL(url); } };
}

// ---- drawing --------------------------------------------------------------------------
const COLOURS = [["Chalk", "#f4f1ea"], ["Amber", "#ffb627"], ["Coral", "#ff6b5a"],
                 ["Sky", "#4cc9f0"], ["Leaf", "#7bd389"], ["Ink", "#111111"]];
const SIZES = [["Thin", 8], ["Medium", 18], ["Thick", 40]];

function choiceGroup(label, options, current, onPick, render) {
  const buttons = options.map(([name, value]) => {
    const b = h("button", { type: "button", class: "choice", "aria-pressed": String(value === current),
                            "aria-label": name, title: name, "data-value": value },
                render(name, value));
    b.addEventListener("click", () => {
      buttons.forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
      onPick(value);
    });
    return b;
  });
  return h("div", { class: "choices", role: "group", "aria-label": label }, buttons);
}

function drawingView(prompt, app) {
  const canvas = h("canvas", { id: "drawing-canvas", class: "drawing",
                               role: "img", "aria-label": "Drawing area: draw with your finger" });
  const pad = new DrawingPad(canvas);
  const colours = choiceGroup("Colour", COLOURS, pad.color, (v) => { pad.color = v; },
    (name, value) => h("span", { class: "swatch", style: `background:${value}` }));
  const sizes = choiceGroup("Brush size", SIZES, pad.size, (v) => { pad.size = v; },
    (name, value) => h("span", { class: "dot", style: `width:${6 + value / 2}px;height:${6 + value / 2}px` }));
  const undo = h("button", { type: "button", class: "tool", id: "draw-undo" },
    h("span", { "aria-hidden": "true", text: "↶" }), " Undo");
  const clear = h("button", { type: "button", class: "tool", id: "draw-clear", text: "Clear" });
  const send = h("button", { type: "button", class: "primary", id: "send-drawing",
                             text: "Send drawing" });
  const line = note();

  function refresh() {
    undo.disabled = !pad.canUndo;
    clear.disabled = pad.empty;
    send.disabled = pad.empty;
  }
  pad.addEventListener("change", refresh);
  undo.addEventListener("click", () => pad.undo());
  clear.addEventListener("click", () => pad.clear());
  refresh();

  send.addEventListener("click", async () => {
    if (pad.empty) return;
    // Both encoders copy the picture now, so the pad is free for the next drawing at once.
    const png = pad.toBlob();
    const small = thumbnail(canvas, canvas.width, canvas.height, "#2b2f3a");
    const taken = pad.take();
    try {
      const item = await app.queueUpload(prompt, "drawing", await png, "drawing.png",
                                         { thumb: await small, width: canvas.width,
                                           height: canvas.height });
      follow(app, item, line, "Drawing sent ✓ Draw another if you like.");
    } catch (err) {
      pad.restore(taken);
      say(line, `Could not save it on this phone: ${err.message}`, "bad");
    }
  });
  const el = h("section", { class: "prompt", "data-kind": "drawing" }, header(prompt),
    h("div", { class: "toolbar" }, colours, sizes),
    h("div", { class: "canvas-wrap" }, canvas),
    h("div", { class: "row" }, undo, clear),
    send, line);
  return { el, dirty: () => !pad.empty };
}

// ---- audio ----------------------------------------------------------------------------
function audioView(prompt, app) {
  const maxSeconds = prompt.max_seconds || 30;
  const record = filePicker("audio-record", "audio/*", "", "Record a sound", "mic");
  const choose = filePicker("audio-file", "audio/*", null, "Choose a sound file", "music");
  const info = h("p", { class: "file-info" });
  const player = h("audio", { controls: true, preload: "metadata", class: "player" });
  const box = h("div", { class: "preview", hidden: true }, info, player);
  const send = h("button", { type: "button", class: "primary", id: "send-audio",
                             text: "Send sound", hidden: true });
  const line = note();
  let ready = null;
  let url = null;

  async function picked(input) {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(file);
    player.src = url;
    const duration = await audioDuration(file);
    const parts = [file.name || "recording", formatBytes(file.size)];
    if (duration != null) parts.push(formatSeconds(duration));
    info.textContent = parts.join(" · ");
    box.hidden = false;
    if (file.size > AUDIO_MAX_BYTES) {
      ready = null;
      send.hidden = true;
      say(line, `That file is too big (${formatBytes(file.size)}; the limit is 20 MB).`, "bad");
      return;
    }
    if (duration != null && duration > maxSeconds + 0.5) {
      ready = null;
      send.hidden = true;
      say(line, `That sound is ${formatSeconds(duration)} long: the limit is `
                + `${formatSeconds(maxSeconds)}. Try a shorter one.`, "bad");
      return;
    }
    ready = { file, duration };
    send.hidden = false;
    say(line, duration == null ? "This phone can't play that file, but you can still send it."
                               : "Send it, or record another.", "");
  }
  record.input.addEventListener("change", () => picked(record.input));
  choose.input.addEventListener("change", () => picked(choose.input));

  send.addEventListener("click", async () => {
    if (!ready) return;
    const { file, duration } = ready;
    ready = null;
    box.hidden = true;
    send.hidden = true;
    player.pause();
    try {
      const item = await app.queueUpload(prompt, "audio", file, file.name || "sound",
                                         { duration, name: file.name || "sound" });
      follow(app, item, line, "Sound sent ✓ Record another if you like.");
    } catch (err) {
      if (!ready) {
        ready = { file, duration };
        box.hidden = false;
        send.hidden = false;
      }
      say(line, `Could not save it on this phone: ${err.message}`, "bad");
    } finally {
      send.disabled = false;
    }
  });
  const el = h("section", { class: "prompt", "data-kind": "audio" }, header(prompt),
    h("p", { class: "hint", text: `Up to ${formatSeconds(maxSeconds)}.` }),
    h("div", { class: "pickers" }, record.input, record.label, choose.input, choose.label),
    box, send, line);
  return { el, dirty: () => ready !== null,
           destroy: () => { if (url) URL.revokeObjectURL(url); } };
}

// ---- vote -----------------------------------------------------------------------------
function voteView(prompt, app) {
  const line = note();
  let chosen = null;
  const buttons = (prompt.options || []).map((option) => {
    const b = h("button", { type: "button", class: "option", "aria-pressed": "false",
                            "data-option": option },
      h("span", { class: "option-text", text: option }),
      h("span", { class: "option-mark", "aria-hidden": "true", text: "✓" }));
    b.addEventListener("click", () => vote(option));
    return b;
  });

  function mark(option) {
    chosen = option;
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.option === option)));
  }

  async function vote(option) {
    const before = chosen;
    mark(option);
    try {
      const item = await app.queueVote(prompt, option);
      say(line, app.online() ? "Sending your vote…"
                             : "Vote saved on your phone: it counts when you're back online.",
          "pending");
      app.whenSettled(item.id, (done) => {
        if (chosen !== option) return;            // a later tap has taken over
        if (done.state === "sent") {
          say(line, `Your vote: ${option} ✓ You can change it until the poll closes.`, "ok");
        } else {
          say(line, `Vote not counted: ${done.reason}`, "bad");
        }
      });
    } catch (err) {
      mark(before);
      say(line, `Could not save your vote: ${err.message}`, "bad");
    }
  }

  app.currentVote(prompt.id).then((current) => {
    if (current && chosen === null) {
      mark(current.option);
      say(line, current.state === "pending" ? `Your vote: ${current.option} (sending…)`
        : `Your vote: ${current.option} ✓ You can change it until the poll closes.`,
          current.state === "pending" ? "pending" : "ok");
    }
  });
  const el = h("section", { class: "prompt", "data-kind": "vote" }, header(prompt),
    h("div", { class: "options", role: "group", "aria-labelledby": "prompt-question" }, buttons),
    line);
  return { el, dirty: () => false };
}

const VIEWS = { text: textView, photo: photoView, drawing: drawingView, audio: audioView,
                vote: voteView, question: questionView };

export function promptView(prompt, app) {
  const make = VIEWS[prompt.kind];
  if (!make) {
    return { el: h("section", { class: "prompt" }, header(prompt),
      h("p", { text: "This phone doesn't know this kind of prompt yet: reload the page." })),
             dirty: () => false };
  }
  return make(prompt, app);
}
