// How the outbox sends one item: text, votes and questions over the socket, photos, drawings
// and sounds over HTTP. Whether a refusal is worth another try is the server's call:
// `retry: true` in a socket acknowledgement, the status code (and Retry-After) over HTTP.
// Its words are for people.

import { request } from "./answer.js";

const UPLOAD_TIMEOUT = 120000;

export const OVER_SOCKET = ["text", "vote", "question"];   // the other kinds are uploaded

/** Send a text, vote or question over the socket; resolves to the outbox's outcome. */
export function sendOverSocket(socket, item) {
  const payload = item.kind === "vote"
    ? { id: item.id, prompt: item.prompt, kind: "vote", option: item.option }
    : { id: item.id, prompt: item.prompt, kind: item.kind, text: item.text };
  return request(socket, "submit", payload).then((ack) => {
    if (ack.ok) return { outcome: "sent", status: ack.status };
    if (ack.retry || ack.offline) return { outcome: "retry", reason: ack.error || "the show is busy" };
    return { outcome: "rejected", reason: ack.error || "refused by the show" };
  });
}

/**
 * Upload a photo, drawing or sound with the phone's token. `onUnknownToken` runs when the
 * server no longer knows the token (401): the person joins again and the work is kept.
 */
export async function upload(item, token, onUnknownToken) {
  const form = new FormData();
  form.append("id", item.id);
  form.append("prompt", item.prompt);
  form.append("kind", item.kind);
  form.append("file", new Blob([item.file.data], { type: item.file.type }), item.file.name);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), UPLOAD_TIMEOUT);
  let response;
  try {
    response = await fetch("/api/submissions", {
      method: "POST", body: form, signal: abort.signal, cache: "no-store",
      headers: { Authorization: `Bearer ${token}` },
    });
  } catch {
    return { outcome: "retry", reason: "no network" };
  } finally {
    clearTimeout(timer);
  }
  let body = {};
  try { body = await response.json(); } catch { /* not JSON: a proxy's page */ }
  const s = response.status;
  if (s === 200 || s === 201) return { outcome: "sent", status: body.status };
  if (s === 401) {
    onUnknownToken();
    return { outcome: "retry", reason: "join again to send this" };
  }
  if (s === 408 || s === 425 || s === 429 || s >= 500 || body.retry === true) {
    return { outcome: "retry", reason: body.error || `the show is busy (HTTP ${s})`,
             after: retryAfter(response) };
  }
  return { outcome: "rejected", reason: body.error || `refused (HTTP ${s})` };
}

/** Retry-After in seconds (a number of seconds or an HTTP date), or null. */
function retryAfter(response) {
  const value = response.headers.get("Retry-After");
  if (!value) return null;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, seconds) : null;
}
