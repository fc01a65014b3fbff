// The cue list table: one keyed row per cue, the playhead marks, selection and drag-reorder.
import { $, h, setText } from "./shared/dom.js";
import { clockTime, countdown, fadesLine, waitTime } from "./time.js";
import { CueGroups } from "./cuegroups.js";
import { creditsOf, creditsSummary, creditsTooltip, cueLabel, kindLabel, rowTitle, shownNumbers } from "./cuenames.js";

const STATE_MARK = {
  standby: "▶ standby",
  running: "● running",
  paused: "❚❚ paused",
  "pre-wait": "◔ pre-wait",
  done: "✓",
  idle: "",
};
const CONTINUE_LABEL = { none: "", "auto-continue": "↳ continue", "auto-follow": "⤓ follow" };

export class CueList {
  constructor({ onSelect, onActivate, onMove }) {
    this.body = $("#cue-rows");
    this.groups = new CueGroups(this.body);   // a group's cues, indented under it
    this.rows = new Map();
    this.cues = [];
    this.numbers = new Map();                  // cue id -> what the number column shows
    this.selectedId = null;
    this.lastStandby = null;
    this.editable = false;
    this.onSelect = onSelect;
    this.onActivate = onActivate;
    this.onMove = onMove;
    this.dragId = null;
    this.body.addEventListener("click", (e) => {
      const row = e.target.closest("tr[data-cue]");
      if (row) this.select(row.dataset.cue, { focus: true });
    });
    this.body.addEventListener("dblclick", (e) => {
      const row = e.target.closest("tr[data-cue]");
      if (row) this.onActivate(row.dataset.cue);
    });
    this.installDrag();
  }

  indexOf(id) {
    return this.cues.findIndex((c) => c.id === id);
  }

  cue(id) {
    return this.cues.find((c) => c.id === id) || null;
  }

  /** The number the list shows for a cue ("" for an unnumbered cue in a numbered show). */
  numberOf(id) {
    return this.numbers.get(id) ?? "";
  }

  get selected() {
    return this.cue(this.selectedId);
  }

  render(state) {
    this.cues = state.cues || [];
    this.numbers = shownNumbers(this.cues);
    this.editable = state.mode === "edit";
    const keep = new Set(this.cues.map((c) => c.id));
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.remove();
        this.rows.delete(id);
      }
    }
    let slot = 0;                              // the row index: a group's cues follow it
    this.groups.begin();
    this.cues.forEach((cue) => {
      let row = this.rows.get(cue.id);
      if (!row) {
        row = this.makeRow(cue.id);
        this.rows.set(cue.id, row);
      }
      this.fillRow(row, cue);
      if (this.body.children[slot] !== row) this.body.insertBefore(row, this.body.children[slot] || null);
      slot += 1 + this.groups.place(cue, row);
    });
    this.groups.end();
    // Selection follows the playhead unless the operator has put it somewhere else; after a
    // go-to of the selected cue it moves on to the new standby, as the playhead does.
    const wentTo = this.followAfter && state.cue && state.cue.id === this.followAfter;
    if (wentTo) this.followAfter = null;
    if (wentTo || !keep.has(this.selectedId) || this.selectedId === this.lastStandby) {
      this.select(state.standby || this.selectedId || (this.cues[0] && this.cues[0].id), {});
    } else {
      this.select(this.selectedId, {});
    }
    this.lastStandby = state.standby;
  }

  makeRow(id) {
    const cells = ["state", "num", "id", "kind", "title", "credits", "pre", "duration", "post", "continue"]
      .map((name) => h("td", { class: `col-${name}` }));
    const row = h("tr", { dataset: { cue: id }, tabIndex: -1, class: "cue-row" }, ...cells);
    const durationCell = cells[7];
    durationCell.append(h("span", { class: "duration-text" }),
      h("div", { class: "row-progress", "aria-hidden": "true" }, h("div", { class: "fill" })));
    cells[4].append(h("span", { class: "title-text" }), h("span", { class: "subtitle-text" }));
    return row;
  }

  fillRow(row, cue) {
    const [state, num, id, kind, title, credits, pre, duration, post, cont] = row.children;
    row.dataset.state = cue.state;
    row.draggable = this.editable;
    row.classList.toggle("draggable", this.editable);
    setText(state, STATE_MARK[cue.state] ?? cue.state);
    setText(num, this.numberOf(cue.id));
    setText(id, cue.id);
    setText(kind, kindLabel(cue));
    kind.dataset.kind = kindLabel(cue);
    setText(title.querySelector(".title-text"), rowTitle(cue));
    setText(title.querySelector(".subtitle-text"), this.secondLine(cue));
    title.title = [cue.title, cue.subtitle, cue.media, cue.text].filter(Boolean).join("\n");
    const names = creditsOf(cue);
    setText(credits, creditsSummary(names));
    credits.title = creditsTooltip(names);
    if (cue.state !== "pre-wait") setText(pre, waitTime(cue.pre_wait));
    setText(duration.querySelector(".duration-text"), waitTime(cue.effective_duration));
    duration.classList.toggle("from-media", cue.duration === null && cue.effective_duration !== null);
    setText(post, waitTime(cue.post_wait));
    setText(cont, CONTINUE_LABEL[cue.continue] ?? cue.continue);
    cont.title = cue.continue === "none" ? "" : `${cue.continue}${cue.post_wait ? `, post-wait ${waitTime(cue.post_wait)}` : ""}`;
    const problems = cue.media_info && (!cue.media_info.playable || cue.media_info.problems.length);
    row.classList.toggle("has-problem", Boolean(problems));
    row.title = problems ? `Media problem: ${cue.media_info.problems.join("; ") || "not playable"}` : "";
  }

  /** What to show after the title: a subtitle, a prompt's question, a wall's prompt. */
  secondLine(cue) {
    if (cue.prompt) return `${cue.prompt.kind}: ${cue.prompt.question}`;
    if (cue.source) {
      const source = this.cue(cue.source);
      return `answers to ${source ? cueLabel(source, this.numberOf(source.id)) : cue.source}`;
    }
    // what the cue editor set is seen in the list: the fades and level, as a group's cues show
    return [cue.subtitle, fadesLine(cue)].filter(Boolean).join(" · ");
  }

  /** After a go-to: once the state shows `id` on stage, select the new standby. */
  followPlayheadAfter(id, state) {
    if (state && state.cue && state.cue.id === id) {
      if (state.standby) this.select(state.standby, { scroll: true });
    } else {
      this.followAfter = id;
    }
  }

  select(id, { focus = false, scroll = false } = {}) {
    if (!id || !this.rows.has(id)) {
      this.selectedId = null;
      this.onSelect(null);
      return;
    }
    const changed = id !== this.selectedId;
    for (const [rid, row] of this.rows) {
      const on = rid === id;
      row.classList.toggle("selected", on);
      row.setAttribute("aria-selected", on ? "true" : "false");
      row.tabIndex = on ? 0 : -1;
    }
    this.selectedId = id;
    const row = this.rows.get(id);
    if (focus) row.focus({ preventScroll: !scroll });
    if (scroll || changed) row.scrollIntoView({ block: "nearest" });
    this.onSelect(this.selected);
  }

  moveSelection(delta) {
    if (!this.cues.length) return;
    const i = this.indexOf(this.selectedId);
    const next = Math.min(this.cues.length - 1, Math.max(0, (i < 0 ? 0 : i + delta)));
    this.select(this.cues[next].id, { focus: document.activeElement?.closest?.("#cue-rows") != null, scroll: true });
  }

  /** Every 100 ms: the running cue's progress and any pre-wait countdown. */
  tick(state, now) {
    for (const cue of this.cues) {
      const row = this.rows.get(cue.id);
      if (!row) continue;
      const fill = row.querySelector(".row-progress .fill");
      if ((cue.state === "running" || cue.state === "paused") && state.cue && state.cue.id === cue.id) {
        const elapsed = elapsedOf(state, now);
        const total = cue.effective_duration;
        fill.style.width = total ? `${Math.min(100, (100 * elapsed) / total)}%` : "100%";
        row.classList.toggle("indeterminate", !total);
      } else if (fill.style.width) {
        fill.style.width = "";
      }
      if (cue.state === "pre-wait" && state.pending && state.pending.cue === cue.id) {
        setText(row.children[6], `−${countdown(state.pending.starts_at - now)}`);
      }
    }
  }

  installDrag() {
    const body = this.body;
    const clearMarks = () => body.querySelectorAll(".drop-before, .drop-after")
      .forEach((r) => r.classList.remove("drop-before", "drop-after"));
    body.addEventListener("dragstart", (e) => {
      const row = e.target.closest("tr[data-cue]");
      if (!this.editable || !row) return e.preventDefault();
      this.dragId = row.dataset.cue;
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", this.dragId);
      row.classList.add("dragging");
    });
    body.addEventListener("dragover", (e) => {
      const row = e.target.closest("tr[data-cue]");
      if (!this.dragId || !row) return;
      e.preventDefault();
      clearMarks();
      const box = row.getBoundingClientRect();
      row.classList.add(e.clientY < box.top + box.height / 2 ? "drop-before" : "drop-after");
    });
    body.addEventListener("dragleave", (e) => {
      if (!body.contains(e.relatedTarget)) clearMarks();
    });
    body.addEventListener("drop", (e) => {
      const row = e.target.closest("tr[data-cue]");
      if (!this.dragId || !row) return;
      e.preventDefault();
      const from = this.indexOf(this.dragId);
      const over = this.indexOf(row.dataset.cue);
      const after = row.classList.contains("drop-after");
      clearMarks();
      let to = after ? over + 1 : over;
      if (from < to) to -= 1;
      if (to !== from) this.onMove(this.dragId, to);
    });
    body.addEventListener("dragend", () => {
      clearMarks();
      body.querySelectorAll(".dragging").forEach((r) => r.classList.remove("dragging"));
      this.dragId = null;
    });
  }
}

export function elapsedOf(state, now) {
  if (!state.cue || state.cue_started_at === null || state.cue_started_at === undefined) return null;
  if (state.paused) return state.position ?? 0;
  return Math.max(0, now - state.cue_started_at);
}

export { clockTime };
