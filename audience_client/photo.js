// Photos are made smaller on the phone before they travel: at most 1920 px on the long
// edge, re-encoded as JPEG (which also leaves the camera's EXIF/GPS on the phone).

const MAX_SIDE = 1920;
const QUALITY = 0.85;
const THUMB_SIDE = 240;

async function decode(file) {
  if (typeof createImageBitmap === "function") {
    try {
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch { /* older browsers reject the options, or the format: try an <img> */ }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.decoding = "async";
    img.src = url;
    await img.decode();
    return img;
  } catch {
    throw new Error("this picture can't be read on this phone: try a JPEG or PNG photo");
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

export function canvasBlob(canvas, type, quality) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("could not encode"))),
                  type, quality);
  });
}

function drawScaled(source, width, height, side, background) {
  const scale = Math.min(1, side / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext("2d");
  if (background) {
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  }
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/** A small JPEG preview of any image source (for the "My submissions" list). */
export async function thumbnail(source, width, height, background = "#000") {
  const canvas = drawScaled(source, width, height, THUMB_SIDE, background);
  return canvasBlob(canvas, "image/jpeg", 0.7);
}

/** {blob, width, height, thumb} ready to upload. */
export async function preparePhoto(file) {
  const source = await decode(file);
  const width = source.naturalWidth || source.width;
  const height = source.naturalHeight || source.height;
  try {
    const canvas = drawScaled(source, width, height, MAX_SIDE, "#000");
    const blob = await canvasBlob(canvas, "image/jpeg", QUALITY);
    const thumb = await thumbnail(canvas, canvas.width, canvas.height);
    return { blob, width: canvas.width, height: canvas.height, thumb,
             original: { width, height, size: file.size } };
  } finally {
    if (typeof source.close === "function") source.close();
  }
}
