// What the phone can tell about a sound file before sending it: its length, if it plays here.

export function audioDuration(file, timeout = 5000) {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(file);
    const audio = new Audio();
    const done = (value) => {
      clearTimeout(timer);
      audio.removeAttribute("src");
      URL.revokeObjectURL(url);
      resolve(value);
    };
    const timer = setTimeout(() => done(null), timeout);
    audio.preload = "metadata";
    audio.addEventListener("loadedmetadata", () => {
      done(Number.isFinite(audio.duration) ? audio.duration : null);
    });
    audio.addEventListener("error", () => done(null));
    audio.src = url;
  });
}
