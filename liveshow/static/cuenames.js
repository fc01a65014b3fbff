// How the crew's screens name a cue: its title, its kind and its credits, for a cue of the
// list and a cue inside a group alike (the cue list, its group rows, the running and standby
// boxes, the displays panel). A leaf module: it imports nothing.

/** A catalogue record cue's title, type and credits are the pulled record's (`screened`)
 *  where the show file gives none: what the projector will show, not a blank row. */
function screened(cue, field) {
  return cue.screened ? cue.screened[field] : null;
}

export function creditsOf(cue) {
  return cue.credits && cue.credits.length ? cue.credits : screened(cue, "credits") || [];
}

export function kindLabel(cue) {
  return cue.kind === "record" ? (cue.type || screened(cue, "type") || "record") : cue.kind;
}

/** The cue list's title cell: the cue's title, what it screens, or "Blackout"; an untitled
 *  cue of another kind leaves it blank (the kind and id columns name it). */
export function rowTitle(cue) {
  return cue.title || screened(cue, "title") || (cue.kind === "blackout" ? "Blackout" : "");
}

/** What the crew calls a cue: its title, or (untitled) its kind; the cue list's word for a
 *  blackout cue, everywhere (the running box, the displays panel). */
export function cueName(cue) {
  return rowTitle(cue) || kindLabel(cue);
}

/** What the cue list's number column shows for each cue, by id, found in one pass over the
 *  list (not a scan of it per row): its cue number; in a show that numbers no cue, its
 *  position (a number there could be confused with a typed one). */
export function shownNumbers(cues) {
  const numbered = cues.some((c) => c.number);
  return new Map(cues.map((c, i) => [c.id, c.number || (numbered ? "" : String(i + 1))]));
}

export function cueLabel(cue, number) {
  const name = cueName(cue);
  return number ? `${number} · ${name}` : name;
}

/** The credits cell: the first names and how many more; every "role: name" in its tooltip. */
export function creditsSummary(credits, max = 2) {
  if (!credits || !credits.length) return "";
  const names = credits.slice(0, max).map((c) => c.name);
  const more = credits.length - max;
  return names.join(", ") + (more > 0 ? ` +${more}` : "");
}

export function creditsTooltip(credits) {
  return credits.map((c) => `${c.role}: ${c.name}`).join("\n");
}
