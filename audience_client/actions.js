// What prompt views may do (see prompts.js): keep work on the phone and send it through the
// outbox, hear when an item is settled, and ask the Q&A board. The views get this object and
// never the socket or the outbox themselves.

import { submissionId } from "./ids.js";
import * as db from "./db.js";
import { request } from "./answer.js";

const toBuffer = (blob) => new Response(blob).arrayBuffer();

/** The actions object for prompt views, over this phone's socket and outbox. */
export function promptActions(socket, outbox) {
  const settledWaiters = new Map();
  outbox.addEventListener("settled", (e) => {
    const waiter = settledWaiters.get(e.detail.id);
    if (waiter) {
      settledWaiters.delete(e.detail.id);
      waiter(e.detail);
    }
  });

  return {
    online: () => navigator.onLine !== false && socket.connected,
    queueText: (prompt, text) => outbox.add({ id: submissionId(), prompt: prompt.id,
                                              question: prompt.question, kind: "text", text }),
    queueQuestion: (prompt, text) => outbox.add({ id: submissionId(), prompt: prompt.id,
                                                  question: prompt.question, kind: "question",
                                                  text }),
    queueVote: (prompt, option) => outbox.add({ id: submissionId(), prompt: prompt.id,
                                                question: prompt.question, kind: "vote", option }),
    async queueUpload(prompt, kind, blob, name, meta = {}) {
      const file = { data: await toBuffer(blob), type: blob.type || "application/octet-stream",
                     name };
      const thumb = meta.thumb ? { data: await toBuffer(meta.thumb), type: meta.thumb.type } : null;
      return outbox.add({ id: submissionId(), prompt: prompt.id, question: prompt.question, kind,
                          file, thumb, name: meta.name || name, width: meta.width,
                          height: meta.height, duration: meta.duration });
    },
    whenSettled(id, callback) {
      settledWaiters.set(id, callback);
      db.get(id).then((item) => {       // already settled before we started listening?
        if (item && item.state !== "pending" && settledWaiters.get(id) === callback) {
          settledWaiters.delete(id);
          callback(item);
        }
      });
    },
    questions: (promptId) => request(socket, "questions", { prompt: promptId }),
    upvote: (question, up) => request(socket, "upvote", { question, up }),
    async myQuestions(promptId) {
      return (await db.all()).filter((i) => i.kind === "question" && i.prompt === promptId)
        .map((i) => i.id);
    },
    async currentVote(promptId) {
      const votes = (await db.all()).filter((i) => i.kind === "vote" && i.prompt === promptId);
      return votes.length ? votes[votes.length - 1] : null;
    },
  };
}
