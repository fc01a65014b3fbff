// How the phone writes sizes and lengths.

/** "3.2 MB", "840 KB" */
export function formatBytes(n) {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1024))} KB`;
}

/** "45 s", "2 min 5 s" */
export function formatSeconds(s) {
  if (!Number.isFinite(s)) return "";
  const whole = Math.round(s);
  return whole >= 60 ? `${Math.floor(whole / 60)} min ${whole % 60} s` : `${whole} s`;
}
