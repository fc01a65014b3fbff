// A Q&A board's questions as the server sends them, read the same way by the crew's
// moderation rail, the phone's board and the projector: a question is an object with a
// string id and text (anything else is left out), and its upvotes are a number (0 when
// missing or not a number). Questions are people's text: shown as text only.

/** A question the screens can show. */
export function validQuestion(q) {
  return Boolean(q) && typeof q === "object" && typeof q.id === "string" && typeof q.text === "string";
}

/** A question's upvotes. */
export function votesOf(q) {
  return Number(q.votes) || 0;
}
