// Placeholder phone app: joins the /audience namespace and shows what is on stage.
// Prompts, submissions and the offline queue arrive with the audience half.
const code = decodeURIComponent(location.pathname.split("/").pop());
const statusLine = document.getElementById("status");
const titleLine = document.getElementById("show-title");
let lastRev = 0;

const socket = io("/audience", {
  transports: ["websocket", "polling"],
  auth: (cb) => cb({ code, device: deviceId(), rev: lastRev }),
});

socket.on("connect", () => { statusLine.textContent = "You're connected."; });
socket.on("disconnect", () => { statusLine.textContent = "Reconnecting…"; });
socket.on("connect_error", (err) => { statusLine.textContent = err.message; });
socket.on("state", (state) => {
  if (state.rev < lastRev) return;
  lastRev = state.rev;
  titleLine.textContent = state.show.title;
  statusLine.textContent = state.cue ? `On stage: ${state.cue.title || state.cue.kind}` :
    "You're connected.";
});

function deviceId() {
  let id = localStorage.getItem("liveshow-device");
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));  // no randomUUID over plain http
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    localStorage.setItem("liveshow-device", id);
  }
  return id;
}
