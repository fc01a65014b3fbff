// Credit that stays yours: the private link that claims tonight's work on the community's
// catalogue, and taking a piece back. The claim token came with the join and lives only in
// this phone's storage; the server and the catalogue keep its hash.

import { h } from "/static/shared/dom.js";
import { request } from "./answer.js";

const CLAIM_KEY = "liveshow-claim";

export function saveClaim(store, claim) {
  if (typeof claim === "string" && claim) store.set(CLAIM_KEY, claim);
}

/** Whether a submission can still be taken back from this phone. */
export function withdrawable(item) {
  return item.kind !== "vote" && item.state === "sent" && item.status !== "withdrawn";
}

/** This phone's claim link, or "" (no claim kept, or the show has no catalogue). */
export function claimUrl(store, state) {
  const claim = store.get(CLAIM_KEY);
  const base = state && typeof state.claim_base === "string" ? state.claim_base : "";
  return claim && base ? base + encodeURIComponent(claim) : "";
}

/**
 * The claim panel: shown once this phone has work the server took and the show has a
 * catalogue. At the credits it says so more loudly; once the show has ended the thank-you
 * screen (thanks.js) carries the link instead.
 */
export function renderClaim(panel, { store, state, items }) {
  const url = claimUrl(store, state);
  const made = items.some((i) => i.kind !== "vote" && i.state === "sent"
                                  && i.status !== "withdrawn");
  if (!url || !made || state.ended) {
    panel.hidden = true;
    return;
  }
  const ending = Boolean(state.cue && state.cue.kind === "credits");
  panel.hidden = false;
  panel.classList.toggle("is-ending", ending);
  panel.replaceChildren(
    h("h2", { text: ending ? "Thank you! Claim your credit" : "Your credit for tonight" }),
    h("p", { class: "hint", text: "This link is yours alone: it puts your name on tonight's "
                                   + "work in the community's catalogue, so you can be credited "
                                   + "and paid. It works once; keep it private." }),
    h("p", {}, h("a", { id: "claim-link", class: "claim-link", href: url, target: "_blank",
                        rel: "noopener noreferrer", text: "Claim my credit" })),
    h("p", { class: "hint claim-url", text: url }),
  );
}

/** Ask, then take ``id`` back over the socket; resolves to the server's answer. */
export function withdraw(socket, id) {
  return request(socket, "withdraw", { submission: id });
}
