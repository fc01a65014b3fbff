// Sizes on the projector: text scaled to the largest font size at which it fits its box,
// lengths in viewport units, numbers kept within a range.

export function fitText(box, inner, maxPx, minPx = 10) {
  const fits = () => inner.offsetHeight <= box.clientHeight + 1
    && inner.scrollWidth <= inner.clientWidth + 1;
  if (!box.clientHeight) return;     // not laid out (yet)
  inner.style.fontSize = `${maxPx}px`;
  if (fits()) return;
  let lo = minPx;
  let hi = maxPx;
  for (let i = 0; i < 12 && hi - lo > 0.5; i++) {
    const mid = (lo + hi) / 2;
    inner.style.fontSize = `${mid}px`;
    if (fits()) lo = mid; else hi = mid;
  }
  inner.style.fontSize = `${lo}px`;
}

/** A length in viewport-height units, as CSS pixels. */
export const vh = (n) => (window.innerHeight * n) / 100;

/** `v`, kept within [lo, hi]. */
export function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}
