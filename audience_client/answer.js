// How long the phone waits for the show to answer one socket request (a join, a submission,
// a reaction, a withdrawal, an upvote) before it says the show didn't answer: one figure for
// every request, so a phone on a slow venue Wi-Fi is given the same patience everywhere.

export const ANSWER_TIMEOUT_MS = 8000;

/**
 * One request over the socket, waiting ANSWER_TIMEOUT_MS; resolves to the server's answer
 * (never rejects). Not connected: `{ok: false, offline: true}` at once; no answer in time:
 * `{ok: false, retry: true, timedOut: true}`. Both are worth another try later.
 */
export function request(socket, event, data) {
  return new Promise((resolve) => {
    if (!socket.connected) {
      resolve({ ok: false, offline: true, error: "not connected to the show" });
      return;
    }
    socket.timeout(ANSWER_TIMEOUT_MS).emit(event, data, (err, ack) => {
      if (err) resolve({ ok: false, retry: true, timedOut: true, error: "the show didn't answer in time" });
      else resolve(ack && typeof ack === "object" ? ack : { ok: false, error: "no answer" });
    });
  });
}
