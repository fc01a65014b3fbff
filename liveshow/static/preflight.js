// Pre-flight: ask the server what would go wrong in front of the audience.
import { $, clear, h } from "./shared/dom.js";
import { timeOfDay } from "./time.js";
import { reportAck } from "./toast.js";

export function installPreflight({ connection, clock, getState, onPickCue }) {
  const button = $("#preflight-run");
  button.addEventListener("click", async () => {
    button.disabled = true;
    setSummary("Checking…", "");
    const ack = await connection.request("preflight", {});
    button.disabled = false;
    if (!reportAck(ack, "Pre-flight").ok) setSummary("Pre-flight could not run.", "bad");
    else render(ack.problems || [], getState(), clock, onPickCue);
    reveal();
  });
}

/** On a laptop the panel sits below the fold of the side column: bring the answer into view
 * (its top first, when the list of problems is taller than the column). */
function reveal() {
  const panel = $("#preflight-summary").closest("section");
  const column = panel.parentElement;
  panel.scrollIntoView({ block: panel.offsetHeight > column.clientHeight ? "start" : "nearest" });
}

function setSummary(text, tone) {
  const summary = $("#preflight-summary");
  summary.textContent = text;
  summary.className = `preflight-summary ${tone}`;
}

function render(problems, state, clock, onPickCue) {
  const list = $("#preflight-list");
  clear(list);
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const at = timeOfDay(clock.now() ?? Date.now() / 1000);
  if (!problems.length) {
    setSummary(`✓ No problems found (checked ${at}).`, "good");
    return;
  }
  setSummary(`${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"} (checked ${at}).`,
    errors ? "bad" : "warn");
  const cues = (state && state.cues) || [];
  for (const p of problems) {
    const i = cues.findIndex((c) => c.id === p.cue);
    const where = p.cue ? (i >= 0 ? `cue ${i + 1} · ${p.cue}` : `cue ${p.cue}`) : "show";
    const item = h("li", { class: `problem problem-${p.severity}`, dataset: { severity: p.severity } },
      h("span", { class: "severity", text: p.severity }),
      p.cue && i >= 0
        ? h("button", { type: "button", class: "problem-cue linklike", text: where, title: "Select this cue" })
        : h("span", { class: "problem-cue", text: where }),
      h("span", { class: "problem-message", text: p.message }));
    const link = item.querySelector("button.problem-cue");
    if (link) link.addEventListener("click", () => onPickCue(p.cue));
    list.append(item);
  }
}
