// The join screen: the contribution terms, an artist name and consent, checked on the phone
// first (so a typo is said at once), then sent as `join`; the server's refusal is said as it
// gave it. What joining changes (the token, the app screen) is the app's (phone.js).

import { h } from "/static/shared/dom.js";
import { request } from "./answer.js";

const HANDLE_LIMIT = 32;

/** The terms arrive as wrapped lines; each sentence-ending line ends a paragraph. */
function termsParagraphs(text) {
  const paragraphs = [];
  let buffer = [];
  for (const line of String(text).split("\n")) {
    buffer.push(line.trim());
    if (/[.!?:]$/.test(line.trim())) {
      paragraphs.push(buffer.join(" "));
      buffer = [];
    }
  }
  if (buffer.join("").trim()) paragraphs.push(buffer.join(" "));
  return paragraphs.map((p) => h("p", { text: p }));
}

/** Put the terms (and the name this phone used before) into the join form. */
export function fillJoinForm(ui, terms, handle) {
  ui.terms.replaceChildren(...termsParagraphs(terms ? terms.text : ""));
  ui.termsVersion.textContent = terms ? `Terms version ${terms.version}` : "";
  if (!ui.handle.value && handle) ui.handle.value = handle;
}

/**
 * Send the join form over `socket`. `terms()` gives the terms the person read;
 * `newTerms(terms)` is told when they changed meanwhile (the consent box is unticked: they
 * must be read anew); `joined(ack)` is told the server's welcome (token, handle, claim).
 */
export function wireJoinForm(ui, socket, { terms, newTerms, joined }) {
  const joinError = (text) => { ui.joinError.textContent = text; };
  ui.joinForm.addEventListener("submit", (e) => {
    e.preventDefault();
    joinError("");
    const name = ui.handle.value.normalize("NFC").trim();
    if (!name) {
      joinError("Please choose an artist name.");
      ui.handle.focus();
      return;
    }
    if ([...name].length > HANDLE_LIMIT) {
      joinError("That name is too long: 32 characters at most.");
      ui.handle.focus();
      return;
    }
    if (!ui.consent.checked) {
      joinError("Please read the terms and tick “I agree” to take part.");
      ui.consent.focus();
      return;
    }
    const read = terms();
    if (!socket.connected || !read) {
      joinError("Not connected to the show yet: check the Wi-Fi, then try again.");
      return;
    }
    ui.joinButton.disabled = true;
    ui.joinButton.textContent = "Joining…";
    request(socket, "join", {
      handle: name, consent: { accepted: true, terms_version: read.version },
    }).then((ack) => {
      ui.joinButton.disabled = false;
      ui.joinButton.textContent = "Join";
      if (ack.timedOut || ack.offline) {
        joinError("The show didn't answer: check the Wi-Fi, then try again.");
        return;
      }
      if (!ack.ok) {
        const reason = ack.error || "the show refused to join";
        const now = terms();
        if (ack && ack.terms && now && ack.terms.version !== now.version) {
          ui.consent.checked = false;
          newTerms(ack.terms);
        }
        joinError(`Couldn't join: ${reason}`);
        return;
      }
      joined(ack);
    });
  });
}
