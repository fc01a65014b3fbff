// A prompt cue: the question, huge, with the way in (QR code and short URL) and a quiet
// word for what is asked ("Write", "Take a photo"…). A vote lists its options.

import { h } from "/static/shared/dom.js";
import { validQuestion, votesOf } from "/static/shared/questions.js";
import { fitText, vh } from "./fit.js";
import { Layer } from "./layer.js";
import { displayUrl, qrSource } from "./qr.js";

const HINTS = {
  text: "Write", photo: "Take a photo", drawing: "Draw", audio: "Record", vote: "Vote",
  question: "Ask",
};
const QUESTIONS_SHOWN = 6;   // the most upvoted: legible from the back of the room

function detail(prompt) {
  if (prompt.kind === "text" && prompt.max_length) return `up to ${prompt.max_length} characters`;
  if (prompt.kind === "audio" && prompt.max_seconds) return `up to ${prompt.max_seconds} seconds`;
  if (prompt.kind === "vote") return "one vote each";
  if (prompt.kind === "question") return "upvote the questions you want answered";
  return null;
}

export class PromptLayer extends Layer {
  build() {
    const prompt = this.cue.prompt || { kind: "text", question: this.cue.title || "" };
    const joinUrl = this.ctx.state().join_url;
    const qr = this.ctx.preloader.take(this.cue) || new Image();
    qr.className = "qr";
    qr.alt = "";
    if (!qr.getAttribute("src")) qr.src = qrSource(joinUrl);
    const more = detail(prompt);
    const options = prompt.kind === "vote" && (prompt.options || []).length
      ? h("ol", { class: "prompt-options" },
        ...prompt.options.map((o) => h("li", {}, h("span", { class: "prompt-option", text: o }))))
      : null;
    this.inner = h("div", { class: "prompt-fit" },
      h("p", { class: "prompt-hint" },
        h("span", { class: `prompt-kind kind-${prompt.kind}`,
                    text: HINTS[prompt.kind] || "Answer" }),
        more ? h("span", { class: "prompt-detail", text: more }) : null),
      h("h1", { class: "prompt-question", text: prompt.question || "" }),
      options);
    if (prompt.kind === "question") {
      this.questions = h("ol", { class: "prompt-questions", id: "questions" });
      this.inner.append(this.questions);
      this.showQuestions(this.cue.questions);
    }
    this.box = h("div", { class: "prompt-box" }, this.inner);
    this.el.append(h("div", { class: "prompt" },
      h("div", { class: "prompt-text" }, this.box,
        joinUrl ? h("p", { class: "prompt-url" },
          h("span", { class: "prompt-url-label", text: "Join at" }),
          h("span", { class: "prompt-url-value", text: displayUrl(joinUrl) })) : null),
      h("div", { class: "prompt-qr" }, h("div", { class: "qr-card" }, qr),
        h("p", { class: "qr-caption", text: "Scan to take part" }))));
  }

  /** Q&A: the approved questions, most upvoted first (the server's order), as text. Rebuilt
   *  (and the prompt fitted again) only when what is shown changed, not on every state the
   *  server sends; says whether it changed. */
  showQuestions(list) {
    const items = Array.isArray(list) ? list.filter(validQuestion).slice(0, QUESTIONS_SHOWN) : [];
    const shown = JSON.stringify(items.map((q) => [q.id, q.votes, q.text, q.handle]));
    if (shown === this.questionsShown) return false;
    this.questionsShown = shown;
    this.questions.replaceChildren(...items.map((q) => h("li",
      { class: "prompt-q", dataset: { id: q.id, votes: String(votesOf(q)) } },
      h("span", { class: "prompt-q-votes", text: `▲ ${votesOf(q)}` }),
      h("span", { class: "prompt-q-text", text: q.text }),
      h("span", { class: "prompt-q-handle", text: String(q.handle || "") }))));
    return true;
  }

  update(cue) {
    super.update(cue);
    if (this.questions && this.showQuestions(cue.questions)) this.layout();
  }

  layout() {
    fitText(this.box, this.inner, vh(10), vh(3));
  }
}
