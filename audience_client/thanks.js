// The end of the night: when the show's last cue starts (the state says `ended`), the phone
// thanks its person, says what they made tonight and offers their claim link to the night's
// credits. Built from what the phone already has: the state and its own submissions.

import { h } from "/static/shared/dom.js";
import { claimUrl } from "./credit.js";

const WORDS = { story: ["story", "stories"], word: ["word", "words"], photo: ["photo", "photos"],
                drawing: ["drawing", "drawings"], audio: ["sound", "sounds"],
                question: ["question", "questions"] };

/** A text answer of one word (a word cloud's "one word for the sea") is a word, not a story. */
function madeKind(item) {
  if (item.kind !== "text") return item.kind;
  return /^\S+$/u.test(String(item.text || "").trim()) ? "word" : "story";
}

/** What this phone made that the show took (votes are not "made"), e.g. "2 stories, a word
 *  and a photo". */
export function madeTonight(items) {
  const counts = new Map();
  for (const i of items) {
    if (i.kind === "vote" || i.state !== "sent" || i.status === "withdrawn") continue;
    const kind = madeKind(i);
    counts.set(kind, (counts.get(kind) || 0) + 1);
  }
  const parts = [...counts].map(([kind, n]) => {
    const [one, many] = WORDS[kind] || [kind, `${kind}s`];
    return n === 1 ? `a ${one}` : `${n} ${many}`;
  });
  if (parts.length < 2) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/** The thank-you view for the stage area; `items` is this phone's submissions (a promise). */
export function thanksView({ state, store, items }) {
  const made = h("p", { class: "thanks-made", id: "thanks-made" });
  const claim = h("div", { class: "thanks-claim", id: "thanks-claim", hidden: true });
  const el = h("section", { class: "thanks", id: "thanks", "aria-live": "polite" },
    h("p", { class: "thanks-star", "aria-hidden": "true", text: "★" }),
    h("h2", { text: "Thank you for making tonight's show!" }),
    made, claim);
  items.then((list) => {
    const what = madeTonight(list);
    made.textContent = what ? `Tonight you made ${what}.` : "You were part of it. See you next time!";
    const url = what ? claimUrl(store, state) : "";
    if (!url) return;
    claim.hidden = false;
    claim.replaceChildren(
      h("p", { text: "Put your name on it in the community's catalogue, so you are credited "
                     + "(and paid, if it earns money). The link is yours alone: keep it private." }),
      h("p", {}, h("a", { id: "thanks-claim-link", class: "claim-link primary-link", href: url,
                          target: "_blank", rel: "noopener noreferrer",
                          text: "Claim my credit" })),
      h("p", { class: "hint claim-url", text: url }));
  });
  return { el, waiting: false, dirty: () => false };
}
