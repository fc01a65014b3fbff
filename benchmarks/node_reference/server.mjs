// A minimal Node.js socket.io 4 server: the reference liveshow's broadcast cost is measured
// against (benchmarks/loadgen, --against node|both). It does the least a show server must:
// phones on /audience get the state on connect; a GO on /crew sends every phone a `state`
// of the same shape and size as liveshow's own (a real one, taken from a liveshow server by
// the load generator and passed in --sample), with the new cue id and rev.
//
//   node benchmarks/node_reference/server.mjs --port 5400 --sample sample.json \
//        [--ping-interval 5000] [--ping-timeout 5000]
//
// Any auth is accepted. Listens on 127.0.0.1 only.

import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "5400" },
    sample: { type: "string" },
    "ping-interval": { type: "string", default: "5000" },
    "ping-timeout": { type: "string", default: "5000" },
  },
});

const sample = values.sample ? JSON.parse(readFileSync(values.sample, "utf8")) : {};
let state = sample.state ?? {
  rev: 1,
  show: { title: "Node reference" },
  blackout: false,
  server_time: 0,
  prompt: null,
  claim_base: null,
  cue: { id: "a", kind: "title", title: "Act one", subtitle: "" },
};
const welcome = sample.welcome ?? { joined: false, handle: null, featured: [] };
const cues = ["a", "b"];

function advance(cueId) {
  // A fresh object each GO, as a server building its state from the show would.
  const cue = state.cue ? { ...state.cue, id: cueId } : { id: cueId };
  state = { ...state, rev: state.rev + 1, server_time: Date.now() / 1000, cue };
  audience.emit("state", state);
  return { ok: true, cue: cueId, rev: state.rev };
}

const http = createServer();
const io = new Server(http, {
  serveClient: false,
  pingInterval: Number(values["ping-interval"]),
  pingTimeout: Number(values["ping-timeout"]),
});

const audience = io.of("/audience");
audience.on("connection", (socket) => {
  socket.emit("welcome", welcome);
  socket.emit("state", state);
  socket.on("join", (data, ack) => {
    if (typeof ack === "function") ack({ ok: true, token: socket.id });
  });
  socket.on("submit", (data, ack) => {
    if (typeof ack === "function") ack({ ok: true, id: data?.id, status: "counted" });
  });
});

io.of("/crew").on("connection", (socket) => {
  socket.emit("state", state);
  socket.on("goto", (data, ack) => {
    const answer = advance(String(data?.cue ?? "a"));
    if (typeof ack === "function") ack(answer);
  });
  socket.on("go", (data, ack) => {
    const next = cues[(cues.indexOf(state.cue?.id) + 1) % cues.length];
    const answer = advance(next);
    if (typeof ack === "function") ack(answer);
  });
});

http.listen(Number(values.port), "127.0.0.1", () => {
  console.log(`node reference listening on 127.0.0.1:${values.port}`);
});

process.on("SIGTERM", () => {
  io.close();
  process.exit(0);
});
