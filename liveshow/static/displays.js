// The displays panel: every expected and connected projector, and whether it is ready.
import { $, clear, h } from "./shared/dom.js";
import { cueLabel } from "./cuenames.js";

/** `numbers`: each cue's number as the cue list shows it (by id). */
export function renderDisplays(state, numbers) {
  const list = $("#displays");
  const connected = state.displays || [];
  const expected = state.expected_displays || [];
  const cues = state.cues || [];
  const names = [...new Set([...expected, ...connected.map((d) => d.name)])].sort();
  // Rebuilt only when something changed: the list is a live region, and states arrive often.
  // A cue's label is its number and its name, so a renumbered or renamed cue rebuilds it.
  const labels = cues.map((c) => cueLabel(c, numbers.get(c.id)));
  const signature = JSON.stringify([names, connected, state.standby, labels]);
  if (list.dataset.signature === signature) return;
  list.dataset.signature = signature;
  const label = (id) => {
    const cue = id ? cues.find((c) => c.id === id) : null;
    return !id ? "nothing" : cue ? cueLabel(cue, numbers.get(id)) : id;
  };
  clear(list);
  if (!names.length) {
    list.append(h("li", { class: "muted", text: "No displays expected or connected." }));
    return;
  }
  for (const name of names) {
    const here = connected.filter((d) => d.name === name);
    if (!here.length) {
      list.append(h("li", { class: "display display-missing", dataset: { display: name, status: "missing" } },
        h("span", { class: "display-status", text: "✗ missing" }),
        h("span", { class: "display-name", text: name }),
        h("span", { class: "display-detail", text: "expected by the show, not connected" })));
      continue;
    }
    for (const d of here) {
      const ready = state.standby ? d.preloaded === state.standby : null;
      const item = h("li", {
        class: `display display-connected${d.problem ? " display-problem" : ""}`,
        dataset: { display: name, status: "connected" },
      },
      h("span", { class: "display-status", text: d.problem ? "⚠ connected" : "● connected" }),
      h("span", { class: "display-name", text: name }),
      h("span", { class: "display-address", text: d.address || "" }),
      h("span", { class: "display-detail" },
        h("span", { text: `showing ${label(d.showing)}` }),
        state.standby ? h("span", {
          class: ready ? "preload preload-ok" : "preload preload-missing",
          title: ready ? "The standby cue's media is loaded" : "The standby cue's media is not loaded yet",
          text: ready ? " · standby preloaded ✓" : " · standby preloaded ✗",
        }) : null),
      d.problem ? h("span", { class: "display-problem-text", text: d.problem }) : null);
      if (!expected.includes(name)) item.append(h("span", { class: "display-extra", text: "not in the show's display list" }));
      list.append(item);
    }
  }
}
