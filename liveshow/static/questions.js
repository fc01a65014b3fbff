// Q&A for the crew: the approved questions of the question cue on stage, most upvoted first
// (the projector's order), from the crew state. Questions are people's text: text only.
import { h } from "./shared/dom.js";
import { validQuestion, votesOf } from "./shared/questions.js";

/** {prompt, questions} when the cue on stage is a question prompt, else null. */
export function questionBoard(state) {
  const cue = state && state.cue;
  if (!cue || !cue.prompt || cue.prompt.kind !== "question" || !Array.isArray(cue.questions)) {
    return null;
  }
  return { prompt: cue.id, questions: cue.questions.filter(validQuestion) };
}

/** The board as a list for the moderation rail (under its prompt). */
export function questionList(board) {
  if (!board) return null;
  if (!board.questions.length) {
    return h("p", { class: "mod-questions-empty", text: "No approved questions yet." });
  }
  return h("ol", { class: "mod-questions", "aria-label": "Approved questions, most upvoted first" },
    board.questions.map((q) => h("li", { class: "mod-question", dataset: { id: q.id },
                                         title: `${q.text} (${q.handle || "someone"})` },
      h("span", { class: "mod-question-votes", "aria-label": `${votesOf(q)} upvotes`,
                  text: `▲ ${votesOf(q)}` }),
      h("span", { class: "mod-question-text", text: q.text }),
      h("span", { class: "mod-question-handle", text: q.handle || "someone" }),
      q.featured ? h("span", { class: "mod-question-featured", title: "Featured", text: "★" })
        : null)));
}

/** A few words for the transport's open-prompt line: how many, and the top question. */
export function questionSummary(board) {
  if (!board) return "";
  const n = board.questions.length;
  if (!n) return " · no approved questions yet";
  const top = board.questions[0];
  return ` · ${n} approved; top: “${top.text}” ▲ ${votesOf(top)}`;
}
