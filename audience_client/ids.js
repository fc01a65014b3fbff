// Ids made on the phone. A venue LAN over plain http is not a secure context, so there is no
// crypto.randomUUID: crypto.getRandomValues works everywhere.

export function randomHex(bytes = 16) {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}

const DEVICE_KEY = "liveshow-device";
const DEVICE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/** This phone's id: made once, kept in localStorage so it survives reloads all evening. */
export function deviceId() {
  let id = null;
  try { id = localStorage.getItem(DEVICE_KEY); } catch { /* storage blocked */ }
  if (!id || !DEVICE_PATTERN.test(id)) {
    id = randomHex(16);
    try { localStorage.setItem(DEVICE_KEY, id); } catch { /* keep it for this page */ }
  }
  return id;
}

/** A fresh submission id: 32 hex characters. */
export const submissionId = () => randomHex(16);
