// Q&A on the phone: the room's approved questions, most upvoted first, each with an upvote
// toggle (none on this phone's own questions). The server owns the board and its order: the
// view asks for it when it opens and after every (re)connect (`questions`, whose answer also
// says which questions this phone upvotes), and every phone is sent it again as upvotes move
// (the `questions` event). An upvote is not queued like a submission: like a reaction it
// matters now, so a refusal is said, never retried. Questions are people's text: text only.

import { h, setText } from "/static/shared/dom.js";
import { validQuestion, votesOf } from "/static/shared/questions.js";

const REFUSAL_SHOWN = 10000;

const upvotesWord = (n) => (n === 1 ? "1 upvote" : `${n} upvotes`);

function refusal(ack, up) {
  if (ack.offline) return "You're offline: upvoting needs the show's Wi-Fi. Try again when "
                          + "you're back.";
  const reason = String(ack.error || "refused by the show");
  return `${up ? "Couldn't upvote" : "Couldn't take your upvote back"}: ${reason}.`;
}

/**
 * The board of a `question` prompt. Through `app`: `questions(promptId)` and
 * `upvote(id, up)` ask the server, `myQuestions(promptId)` lists the ids this phone asked.
 * Returns {el, update(message), refresh()}: `update` takes a `questions` message, `refresh`
 * asks the server again (on a reconnect).
 */
export function questionBoard(prompt, app) {
  const list = h("ol", { id: "question-list", class: "qa-list", "aria-labelledby": "qa-title" });
  const empty = h("p", { id: "question-empty", class: "hint qa-empty",
                         text: "No questions on the list yet. Ask one: once the crew approves "
                               + "it, everyone here can upvote it." });
  const status = h("p", { class: "note", role: "status", "aria-live": "polite" });
  const el = h("section", { class: "qa-board", id: "question-board",
                            "aria-labelledby": "qa-title" },
    h("h3", { id: "qa-title", class: "qa-title", text: "Questions from the room" }),
    h("p", { class: "hint", text: "Most upvoted first. Tap ▲ on the ones you want answered; "
                                  + "tap again to take it back." }),
    status, empty, list);
  const rows = new Map();        // question id -> its row's nodes
  const upvoted = new Set();     // the questions this phone upvotes
  const busy = new Set();
  let board = [];
  let mine = new Set();
  let shownSeq = 0;
  let asking = false;
  let askAgain = false;

  /** Show a board (the server's order); own questions are looked up on the phone first. */
  async function show(questions) {
    const seq = ++shownSeq;
    let ids = [];
    try { ids = await app.myQuestions(prompt.id); } catch { /* storage gone: none marked */ }
    if (seq !== shownSeq) return;              // a newer board arrived meanwhile
    mine = new Set(ids);
    board = questions.filter(validQuestion);
    render();
  }

  function render() {
    const ids = new Set(board.map((q) => q.id));
    for (const [id, row] of rows) {
      if (ids.has(id)) continue;
      clearTimeout(row.timer);
      row.li.remove();
      rows.delete(id);
    }
    board.forEach((q, i) => {
      let row = rows.get(q.id);
      const own = mine.has(q.id);
      if (!row || row.own !== own) {
        if (row) row.li.remove();
        row = makeRow(q.id, own);
        rows.set(q.id, row);
      }
      fill(row, q);
      const at = list.children[i];
      if (at !== row.li) list.insertBefore(row.li, at || null);   // move only what moved
    });
    empty.hidden = board.length > 0;
  }

  function makeRow(id, own) {
    const votes = h("span", { class: "qa-votes" });
    const arrow = h("span", { class: "qa-arrow", "aria-hidden": "true", text: "▲" });
    const control = own
      ? h("div", { class: "qa-count" }, arrow, votes)
      : h("button", { type: "button", class: "qa-upvote", "aria-pressed": "false",
                      onclick: () => toggle(id) }, arrow, votes);
    const text = h("p", { class: "qa-text" });
    const who = h("p", { class: "qa-who" });
    const line = h("p", { class: "qa-refused", role: "alert" });
    const li = h("li", { class: "qa-item", dataset: { id, mine: String(own) } },
      control, h("div", { class: "qa-body" }, text, who, line));
    return { li, control, votes, text, who, line, own, timer: null };
  }

  function fill(row, q) {
    const n = votesOf(q);
    const on = upvoted.has(q.id);
    setText(row.votes, n);
    setText(row.text, q.text);
    const star = q.featured ? " · ★ on the big screen" : "";
    setText(row.who, row.own ? `Your question · ${upvotesWord(n)}${star}`
                             : `Asked by ${q.handle || "someone"}${star}`);
    row.li.classList.toggle("is-upvoted", on);
    if (row.own) return;
    row.control.setAttribute("aria-pressed", String(on));
    row.control.setAttribute("aria-label", `Upvote “${q.text}”: ${upvotesWord(n)}`);
  }

  function tell(row, text) {
    if (!row) return;
    clearTimeout(row.timer);
    setText(row.line, text);
    row.timer = text ? setTimeout(() => setText(row.line, ""), REFUSAL_SHOWN) : null;
  }

  async function toggle(id) {
    if (busy.has(id) || !rows.has(id)) return;
    const up = !upvoted.has(id);
    busy.add(id);
    rows.get(id).control.setAttribute("aria-busy", "true");
    const ack = await app.upvote(id, up);
    busy.delete(id);
    const row = rows.get(id);                  // rebuilt or gone meanwhile, perhaps
    if (row) row.control.removeAttribute("aria-busy");
    if (!ack.ok) {
      tell(row, refusal(ack, up));
      return;
    }
    if (ack.up) upvoted.add(id);
    else upvoted.delete(id);
    tell(row, "");
    // The count now; the order follows with the next board the server sends every phone.
    if (typeof ack.votes === "number") {
      board = board.map((q) => (q.id === id ? { ...q, votes: ack.votes } : q));
    }
    render();
  }

  async function refresh() {
    if (asking) {
      askAgain = true;
      return;
    }
    asking = true;
    const ack = await app.questions(prompt.id);
    asking = false;
    if (ack.ok) {
      upvoted.clear();
      for (const id of Array.isArray(ack.upvoted) ? ack.upvoted : []) upvoted.add(id);
      setText(status, "");
      await show(Array.isArray(ack.questions) ? ack.questions : []);
    } else if (!ack.offline) {                 // offline: the top bar says so already
      status.dataset.tone = "bad";
      setText(status, `Couldn't load the questions: ${ack.error || "refused"}.`);
    }
    if (askAgain) {
      askAgain = false;
      refresh();
    }
  }

  function update(message) {
    if (!message || message.prompt !== prompt.id || !Array.isArray(message.questions)) return;
    show(message.questions);
  }

  empty.hidden = true;                         // until the first board says otherwise
  refresh();
  return { el, update, refresh };
}
