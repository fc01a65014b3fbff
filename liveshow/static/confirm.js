// A confirmation that does not block the page (window.confirm would stop the clocks).
import { $ } from "./shared/dom.js";

export function confirmAction({ title, message, confirmLabel = "OK", danger = false }) {
  const dialog = $("#confirm-dialog");
  $("#confirm-title").textContent = title;
  $("#confirm-message").textContent = message;
  const ok = $("#confirm-ok");
  ok.textContent = confirmLabel;
  ok.classList.toggle("btn-danger", danger);
  ok.classList.toggle("btn-accent", !danger);
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
    ok.focus();
  });
}

export const dialogOpen = () => document.querySelector("dialog[open]") !== null;
