// The cue list's group rows: a group's cues indented under it, each with its own state, and a
// Stop button on every cue that is running (a group's sound under its picture, or the cue on
// stage itself). A Stop click is sent up as a "stop-cue" DOM event; the transport sends it.
import { h, setText } from "./shared/dom.js";
import { fadesLine, waitTime } from "./time.js";
import { creditsOf, creditsSummary, creditsTooltip, kindLabel, rowTitle } from "./cuenames.js";

const MARK = { running: "● running", paused: "❚❚ paused", stopped: "■ stopped", done: "✓" };
const STOPPABLE = ["running", "paused"];

export class CueGroups {
  constructor(body) {
    this.body = body;
    this.rows = new Map();     // child cue id -> its row
    this.seen = new Set();
    body.addEventListener("click", (e) => {
      const button = e.target.closest("button.stop-cue");
      if (!button) return;
      body.dispatchEvent(new CustomEvent("stop-cue", { detail: { cue: button.dataset.stop } }));
    });
  }

  /** Before a render: every child row not placed again is removed after it. */
  begin() {
    this.seen = new Set();
  }

  /** Puts `cue`'s children right after its `row`; returns how many rows that is. */
  place(cue, row) {
    stopButton(row.querySelector(".col-title"), cue);
    let at = row;
    for (const child of cue.children || []) {
      let childRow = this.rows.get(child.id);
      if (!childRow) {
        childRow = this.makeRow(child.id, cue.id);
        this.rows.set(child.id, childRow);
      }
      this.seen.add(child.id);
      fill(childRow, child);
      if (at.nextSibling !== childRow) at.after(childRow);
      at = childRow;
    }
    return (cue.children || []).length;
  }

  /** After a render: rows of cues that are no longer in a group go. */
  end() {
    for (const [id, row] of this.rows) {
      if (!this.seen.has(id)) {
        row.remove();
        this.rows.delete(id);
      }
    }
  }

  makeRow(id, group) {
    const heads = this.body.closest("table").tHead.rows[0].cells;
    const cells = [...heads].map((th) => h("td", { class: th.className }));
    // the three time columns, named as the cue list's own rows name them (their alignment)
    cells.filter((td) => td.classList.contains("col-time"))
      .forEach((td, i) => td.classList.add(["col-pre", "col-duration", "col-post"][i]));
    const title = cells.find((td) => td.classList.contains("col-title"));
    if (title) title.append(h("span", { class: "title-text" }), h("span", { class: "subtitle-text" }));
    return h("tr", { class: "cue-row child-row", dataset: { child: id, group } }, ...cells);
  }
}

function fill(row, cue) {
  row.dataset.state = cue.state;
  const cell = (name) => row.querySelector(`.col-${name}`);
  if (cell("state")) setText(cell("state"), MARK[cue.state] ?? "");
  if (cell("num")) setText(cell("num"), cue.number || "");   // its cue number ("8.5.1"), if any
  if (cell("id")) setText(cell("id"), cue.id);
  const kind = kindLabel(cue);   // a catalogue record's screened type, as at top level
  if (cell("kind")) {
    setText(cell("kind"), kind);
    cell("kind").dataset.kind = kind;
  }
  const title = cell("title");
  if (title) {
    setText(title.querySelector(".title-text"), rowTitle(cue));
    setText(title.querySelector(".subtitle-text"), fadesLine(cue));
    stopButton(title, cue);
  }
  if (cell("credits")) {
    const credits = creditsOf(cue);
    setText(cell("credits"), creditsSummary(credits));
    cell("credits").title = creditsTooltip(credits);
  }
  const times = row.querySelectorAll(".col-time");
  if (times[1]) setText(times[1], waitTime(cue.effective_duration));
}

/** A Stop button in `cell` while `cue` runs; none otherwise, and never on a blackout cue
 *  (the stage is black already: there is nothing of it to stop). */
function stopButton(cell, cue) {
  if (!cell) return;
  let button = cell.querySelector("button.stop-cue");
  const wanted = STOPPABLE.includes(cue.state) && cue.kind !== "blackout";
  if (!wanted) {
    if (button) button.remove();
    return;
  }
  if (!button) {
    button = h("button", { type: "button", class: "stop-cue", dataset: { stop: cue.id },
      title: `Stop ${rowTitle(cue) || cue.id} (the cue list stays where it is)` }, "■ Stop");
    cell.append(button);
  }
}
