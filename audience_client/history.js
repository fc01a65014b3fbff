// "My submissions": what this phone made tonight and what became of it. Everything here is
// the person's own text or the server's words, so it goes in as text only.

import { h } from "/static/shared/dom.js";
import { formatSeconds } from "./format.js";
import { withdrawable } from "./credit.js";

// A kind is shown as the server names it, capitalised; only where our word differs is it here.
const KIND_WORD = { audio: "Sound" };
function kindWord(kind) {
  const word = String(kind || "");
  return KIND_WORD[word] || word.charAt(0).toUpperCase() + word.slice(1);
}
const LIMIT = 60;

let urls = [];

function status(item, online) {
  if (item.state === "pending") {
    return { icon: "⏳", text: online && !item.lastError ? "Sending…" : "Waiting to send",
             tone: "pending" };
  }
  if (item.state === "rejected") {
    return { icon: "✗", text: `Rejected: ${item.reason || "refused"}`, tone: "bad" };
  }
  if (item.status === "withdrawn") return { icon: "↩", text: "Withdrawn", tone: "muted" };
  // featured: chosen by the crew; "On screen!" once the projector has shown it
  if (item.status === "featured") {
    return { icon: "★", text: item.shown ? "On screen!" : "Featured", tone: "star" };
  }
  if (item.shown) return { icon: "★", text: "On the wall", tone: "star" };
  return { icon: "✓", text: item.kind === "vote" ? "Counted" : "Sent", tone: "ok" };
}

function summary(item) {
  if (item.kind === "text" || item.kind === "question") return item.text || "";
  if (item.kind === "vote") return item.option || "";
  if (item.kind === "audio") {
    return [item.name, item.duration != null ? formatSeconds(item.duration) : ""]
      .filter(Boolean).join(" · ");
  }
  return item.width ? `${item.width} × ${item.height}` : "";
}

/** Only the latest vote per prompt is worth listing: it is the one that counts. */
function visible(items) {
  const latestVote = new Map();
  for (const i of items) if (i.kind === "vote") latestVote.set(i.prompt, i.id);
  return items.filter((i) => i.kind !== "vote" || latestVote.get(i.prompt) === i.id);
}

export function renderHistory(list, items, { online = true, onWithdraw = null } = {}) {
  urls.forEach((u) => URL.revokeObjectURL(u));
  urls = [];
  const shown = visible(items).reverse().slice(0, LIMIT);   // newest first
  list.replaceChildren(...shown.map((item) => {
    const s = status(item, online);
    let thumb = null;
    if (item.thumb && item.thumb.data) {
      const url = URL.createObjectURL(new Blob([item.thumb.data], { type: item.thumb.type }));
      urls.push(url);
      thumb = h("img", { class: "thumb", src: url, alt: "" });
    }
    return h("li", { class: "sub", "data-id": item.id, "data-state": item.state,
                     "data-kind": item.kind, "data-tone": s.tone },
      thumb,
      h("div", { class: "sub-body" },
        h("p", { class: "sub-what" },
          h("span", { class: "sub-kind", text: kindWord(item.kind) }),
          item.question ? h("span", { class: "sub-question", text: ` · ${item.question}` }) : null),
        h("p", { class: "sub-summary", text: summary(item) }),
        h("p", { class: "sub-status" },
          h("span", { class: "sub-icon", "aria-hidden": "true", text: s.icon }),
          h("span", { class: "sub-status-text", text: ` ${s.text}` })),
        onWithdraw && withdrawable(item)
          ? h("button", { type: "button", class: "sub-withdraw", text: "Take back",
                          onclick: () => onWithdraw(item.id) })
          : null));
  }));
  return shown.length;
}
