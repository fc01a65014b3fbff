// What the phone keeps between visits: its token and artist name in localStorage, and the
// cookie that lets a joined phone back in on its link after the crew rotates the join code.

export const KEYS = { token: "liveshow-token", handle: "liveshow-handle" };

/** localStorage that never throws (private mode, storage blocked): reads give null. */
export const saved = {
  get: (k) => { try { return localStorage.getItem(k); } catch { return null; } },
  set: (k, v) => { try { localStorage.setItem(k, v); } catch { /* private mode */ } },
  drop: (k) => { try { localStorage.removeItem(k); } catch { /* private mode */ } },
};

/**
 * The join page lets a phone holding a live token back in on the link it came in on after
 * the crew rotates the code: it reads this cookie, which only that link is sent (so a wrong
 * code typed later is still "expired"). No token, no cookie.
 */
export function rememberJoined(value) {
  const cookie = value
    ? `liveshow_joined=${encodeURIComponent(value)}; Max-Age=172800`
    : "liveshow_joined=; Max-Age=0";
  try {
    document.cookie = `${cookie}; Path=${location.pathname}; SameSite=Strict`;
  } catch { /* cookies blocked: a reload after a rotation needs the new QR code */ }
}
