// Reactions: applause and hearts float up the projector. The server limits them (a burst,
// then one a second); a refusal only says so here, nothing is queued.

import { $ } from "/static/shared/dom.js";
import { reactionIcon } from "/static/shared/reaction-icons.js";
import { request } from "./answer.js";


/** Send a reaction over `socket` when one of the #reactions buttons is pressed. */
export function wireReactions(socket) {
  for (const button of document.querySelectorAll("#reactions [data-react]")) {
    if (!button.firstChild) button.append(reactionIcon(button.dataset.react));
    button.addEventListener("click", () => {
      button.classList.remove("sent");
      void button.offsetWidth;
      button.classList.add("sent");
      request(socket, "react", { kind: button.dataset.react }).then((ack) => {
        // the show's refusal is worth words (a rate limit, join first); a lost reaction is not
        $("#react-note").textContent = ack.ok || ack.offline || ack.timedOut ? "" : String(ack.error || "");
      });
    });
  }
}
