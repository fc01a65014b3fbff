// When this phone's work is on screen. "featured": the crew chose it (marked in "My
// submissions", quietly: the projector may still show a prompt slide). "shown": it is up on
// the projector's wall now; with `featured` it is the wall's spotlight (a banner, a buzz:
// "You're on screen!"), otherwise among the others (a gentle note).

import { $ } from "/static/shared/dom.js";
import * as db from "./db.js";

const FEATURED_SHOWN = 20000;
const ON_WALL_SHOWN = 15000;

/** Listen on `socket` for this phone's work going on screen; `banner` is #featured. */
export function wireFeatured(socket, banner, close) {
  let featuredTimer = null;
  let onWallTimer = null;

  function hideFeatured() {
    banner.hidden = true;
    document.body.classList.remove("is-featured");
  }

  function showFeatured() {
    banner.hidden = false;
    document.body.classList.add("is-featured");
    try { if (navigator.vibrate) navigator.vibrate([200, 100, 200, 100, 400]); } catch { /* no */ }
    clearTimeout(featuredTimer);
    featuredTimer = setTimeout(hideFeatured, FEATURED_SHOWN);
  }

  socket.on("featured", async (data) => {
    const id = data && data.submission;
    if (typeof id === "string") await db.update(id, () => ({ status: "featured" }));
  });

  socket.on("shown", async (data) => {
    const id = data && data.submission;
    if (typeof id !== "string") return;
    const spotlight = data.featured === true;
    const item = await db.update(id, () => (spotlight ? { shown: true, status: "featured" }
                                                      : { shown: true }));
    if (spotlight) {
      showFeatured();                   // as before: even if another tab's storage made it
      return;
    }
    if (!item) return;                  // not made on this phone (another tab's storage)
    const note = $("#on-wall");
    note.hidden = false;
    clearTimeout(onWallTimer);
    onWallTimer = setTimeout(() => { note.hidden = true; }, ON_WALL_SHOWN);
  });

  close.addEventListener("click", hideFeatured);
}
