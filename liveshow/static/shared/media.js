// Media the server names. Stills, takes and audience work are served at /media/<sha256>; a
// URL from a message is used only when it has that shape, so a malformed or hostile value
// never becomes an <img>/<video> src.

const MEDIA_URL = /^\/media\/[A-Za-z0-9_-]+$/;

/** The URL when it is one of ours (/media/<id>), else null. */
export const mediaUrl = (url) => (typeof url === "string" && MEDIA_URL.test(url) ? url : null);

/** An <img> that hides itself and shows `fallback` (a node, or null) if the file fails. */
export function safeImage(url, alt, fallback) {
  const img = document.createElement("img");
  img.alt = alt;
  img.loading = "lazy";
  img.decoding = "async";
  const broken = () => {
    img.hidden = true;
    if (fallback) fallback.hidden = false;
  };
  img.addEventListener("error", broken);
  const src = mediaUrl(url);
  if (src) img.src = src;
  else broken();
  return img;
}
