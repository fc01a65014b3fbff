// What the crew stopped (state.stopped): a leaf module, so the display's entry point and the
// group layer can both ask without an import cycle through layers.js.

/** Whether the crew stopped cue `id` in `state`. */
export function isStopped(state, id) {
  return Boolean(state && Array.isArray(state.stopped) && state.stopped.includes(id));
}
