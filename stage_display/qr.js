// The way in for the audience: the join QR code and the short URL under it.

import { h } from "/static/shared/dom.js";

export function displayUrl(url) {
  return String(url).replace(/^https?:\/\//, "");
}

/** A join URL split for people who type rather than scan: where to go, and the code
 *  (`http://10.0.0.5:5000/join/abc234` -> {address: "10.0.0.5:5000", code: "abc234"}). */
export function typedJoin(url) {
  let parsed;
  try {
    parsed = new URL(String(url));
  } catch {
    return null;
  }
  const match = parsed.pathname.match(/\/join\/([^/]+)\/?$/);
  return match ? { address: parsed.host, code: decodeURIComponent(match[1]) } : null;
}

export function qrSource(joinUrl) {
  // The query only busts caches when the join URL changes; the server ignores it.
  return `/qr/join.svg?for=${encodeURIComponent(joinUrl || "")}`;
}

/**
 * Is the prompt behind this wall/poll cue still taking answers? The cue names its source
 * when the server sends it; otherwise the open prompt asking the same question is taken.
 */
export function promptOpen(state, cue) {
  const open = state && state.prompt;
  if (!open || !cue) return false;
  if (cue.source) return open.id === cue.source;
  return Boolean(cue.question) && open.question === cue.question;
}

/** "Add yours · liveshow.local/join/abc": a quiet line, shown while the prompt is open. */
export function inviteLine(label) {
  const url = h("span", { class: "invite-url" });
  const el = h("p", { class: "invite" }, h("span", { class: "invite-label", text: label }), url);
  return {
    el,
    set(state, cue) {
      const on = promptOpen(state, cue) && Boolean(state.join_url);
      if (on) url.textContent = displayUrl(state.join_url);
      el.classList.toggle("shown", on);
    },
  };
}
