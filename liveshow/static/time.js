// How the dashboard writes times (the server's clock itself is shared/clock.js).

/** 75.34 -> "1:15.3"; null -> "–" */
export function clockTime(seconds, { tenths = true } = {}) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const sign = seconds < 0 ? "−" : "";
  let s = Math.abs(seconds);
  if (!tenths) s = Math.floor(s);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const secs = tenths ? (Math.floor(rest * 10) / 10).toFixed(1) : String(Math.floor(rest));
  const padded = secs.padStart(tenths ? 4 : 2, "0");
  return hours
    ? `${sign}${hours}:${String(minutes).padStart(2, "0")}:${padded}`
    : `${sign}${minutes}:${padded}`;
}

/** A wait or duration cell: zero waits are quiet. */
export function waitTime(seconds) {
  if (!seconds) return "";
  return clockTime(seconds);
}

/** A cue's fades and level as the cue list shows them: "-9 dB · fade in 2 s · fade out 3 s". */
export function fadesLine(cue) {
  return [cue.level ? `${cue.level} dB` : "", cue.fade_in ? `fade in ${cue.fade_in} s` : "",
    cue.fade_out ? `fade out ${cue.fade_out} s` : ""].filter(Boolean).join(" · ");
}

/** Seconds counting down, e.g. "3.2 s". */
export function countdown(seconds) {
  return `${Math.max(0, seconds).toFixed(1)} s`;
}

export function timeOfDay(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  return [d.getHours(), d.getMinutes(), d.getSeconds()]
    .map((n) => String(n).padStart(2, "0")).join(":");
}
