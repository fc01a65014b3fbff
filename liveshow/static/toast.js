// Toasts: refused actions stay up long enough to read in a dark booth.
import { $, h } from "./shared/dom.js";

const LIFETIME_MS = { error: 8000, info: 3500, ok: 2500 };
const MAX_TOASTS = 4;

export function toast(message, kind = "info") {
  const region = kind === "error" ? $("#toast-alerts") : $("#toast-status");
  const box = h("div", { class: `toast toast-${kind}` },
    h("span", { class: "toast-text", text: message }),
    h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss" }, "×"));
  box.querySelector(".toast-close").addEventListener("click", () => box.remove());
  region.append(box);
  while (region.children.length > MAX_TOASTS) region.firstElementChild.remove();
  setTimeout(() => box.remove(), LIFETIME_MS[kind] ?? LIFETIME_MS.info);
  return box;
}

/** Show a refused acknowledgement; `label` names the action ("GO", "Go to cue 4"). */
export function reportAck(ack, label, okMessage) {
  if (!ack.ok) {
    const text = String(ack.error || "refused");
    // The server's own wording often starts with the action ("GO refused: ..."): keep it.
    toast(/refused/i.test(text.slice(0, 30)) ? text : `${label} refused: ${text}`, "error");
  } else if (okMessage) {
    toast(okMessage, "ok");
  }
  return ack;
}
