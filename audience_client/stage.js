// The stage area of the app screen: the open prompt, the thank-you at the end of the show,
// or, between prompts, what is on stage. A prompt that closes while something is being made
// stays a little, so it can still be sent (the server takes late answers for a while).

import { $, h } from "/static/shared/dom.js";
import * as db from "./db.js";
import { promptView } from "./prompts.js";
import { thanksView } from "./thanks.js";

const CLOSE_GRACE = 25000;      // the server takes answers for 30 s after a prompt closes

const CUE_WORDS = { title: "a title", record: "a film", slide: "a slide", join: "how to join",
                    prompt: "a question for you", wall: "your answers", poll: "the poll results",
                    camera: "a live camera", replay: "a replay", credits: "the credits",
                    blackout: "darkness" };

function onStageText(state) {
  if (!state) return "Connecting to the show…";
  if (state.blackout) return "The stage is dark.";
  const cue = state.cue;
  if (!cue) return "The show hasn't started yet.";
  if (cue.stopped) return "The stage is dark.";      // the crew stopped it: not on stage now
  const name = cue.title || cue.subtitle || CUE_WORDS[cue.kind] || cue.kind;
  return `On stage now: ${name}`;
}

function waitingView(state) {
  const el = h("section", { class: "waiting", "aria-live": "polite" },
    h("div", { class: "pulse", "aria-hidden": "true" }),
    h("h2", { text: "Waiting for the next prompt" }),
    h("p", { class: "on-stage", id: "on-stage", text: onStageText(state) }),
    h("p", { class: "hint", text: "Keep this page open: when the room is asked for something, "
                                  + "it appears here." }));
  return { el, waiting: true, dirty: () => false };
}

export class Stage {
  /**
   * `el`: where views go; `actions`: what prompt views may do (actions.js); `store`: saved.js's
   * store; `rerender`: called when a closed prompt's grace is over, to render the state then.
   */
  constructor(el, { actions, store, rerender }) {
    this.el = el;
    this.actions = actions;
    this.store = store;
    this.rerender = rerender;
    this.current = { key: undefined, view: null };
    this.graceTimer = null;
  }

  /** The view on stage now (for events it listens to: the Q&A board, a reconnect). */
  get view() {
    return this.current.view;
  }

  /** Show what `state` asks for, keeping the current view when nothing changed. */
  render(state) {
    const current = this.current;
    const prompt = state ? state.prompt : null;
    const ended = Boolean(state && state.ended && !prompt);
    const key = prompt ? JSON.stringify(prompt) : (ended ? "ended" : null);
    if (key === current.key) {
      if (current.view && current.view.waiting) $("#on-stage").textContent = onStageText(state);
      return;
    }
    if (!prompt && current.view && !current.view.waiting && current.view.dirty()) {
      if (!this.graceTimer) {
        this.graceTimer = setTimeout(() => {
          this.graceTimer = null;
          this.current.key = undefined;
          this.rerender();
        }, CLOSE_GRACE);
        current.view.el.prepend(h("p", { class: "closing", role: "alert",
                                         text: "This prompt has just closed: send now if "
                                               + "you're ready!" }));
      }
      return;
    }
    clearTimeout(this.graceTimer);
    this.graceTimer = null;
    if (current.view && current.view.destroy) current.view.destroy();
    const opening = prompt && current.key !== undefined;
    document.body.classList.toggle("is-ended", ended);
    let view;
    if (prompt) view = promptView(prompt, this.actions);
    else if (ended) view = thanksView({ state, store: this.store, items: db.all() });
    else view = waitingView(state);
    this.current = { key, view };
    this.el.replaceChildren(view.el);
    if (opening) {
      try { if (navigator.vibrate) navigator.vibrate(80); } catch { /* fine */ }
    }
  }
}
