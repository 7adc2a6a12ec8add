// Exports: the view as PNG (the canvas as drawn) and files made by Python (.npy, .csv),
// handed to the browser as a download.

/** A PNG blob of a canvas. */
export function canvasBlob(canvas) {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the canvas could not be encoded"))), "image/png"));
}

/** Offer `blob` as a download named `filename` (the link lives inside `host` only briefly). */
export function downloadBlob(blob, filename, host = document.body) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  host.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
