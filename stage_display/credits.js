// Credits as the projector writes them. Names and roles are user text: text nodes only.

import { h } from "/static/shared/dom.js";

/** "director Ana Ruiz · music Kofi Mensah", with roles dimmer than names. */
export function creditsLine(credits, className = "credits-line") {
  const line = h("p", { class: className });
  (credits || []).forEach((c, i) => {
    if (i > 0) line.append(h("span", { class: "sep", text: " · " }));
    line.append(h("span", { class: "role", text: c.role || "" }), " ",
                h("span", { class: "name", text: c.name || "" }));
  });
  return line;
}
