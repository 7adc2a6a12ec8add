// Keys of the viewer: arrows and Page keys step the active slider, Home/End go to its ends,
// space plays or pauses, "r" resets the zoom, "+"/"-" zoom about the view's centre.
// Keys typed in the viewer never reach the notebook (JupyterLab's shortcuts).

/**
 * The command of a key, or null when the viewer leaves it alone.
 * @param {string} key `KeyboardEvent.key`
 * @returns {{step: number} | {go: "first" | "last"} | {play: true} | {reset: true} | {zoom: number} | null}
 */
export function keyCommand(key) {
  switch (key) {
    case "ArrowRight": case "ArrowDown": return { step: 1 };
    case "ArrowLeft": case "ArrowUp": return { step: -1 };
    case "PageUp": return { step: 10 };
    case "PageDown": return { step: -10 };
    case "Home": return { go: "first" };
    case "End": return { go: "last" };
    case " ": return { play: true };
    case "r": return { reset: true };
    case "+": return { zoom: 0.8 };
    case "-": return { zoom: 1.25 };
    default: return null;
  }
}

/**
 * What the viewer's parts do with a command (the parts absent from the current view are null).
 * @typedef {object} KeyTarget
 * @property {import("./slicer.js").Slicer | null} slicer
 * @property {import("./image.js").ImageView | null} image
 * @property {import("./curve.js").CurveView | null} curve
 * @property {{playing: boolean, start: (dim: number) => void, stop: () => void}} player
 */

/**
 * Run `command` on `t`; whether it did something (the key's default action is then prevented).
 * @param {ReturnType<typeof keyCommand>} command
 * @param {KeyTarget} t
 */
export function runKey(command, t) {
  if (!command) return false;
  const { slicer, image, curve, player } = t;
  const active = slicer?.active ?? null;
  if ("step" in command) slicer?.step(command.step);
  else if ("go" in command) { if (active === null) return false; slicer.setIndex(active, command.go === "first" ? 0 : Infinity); }
  else if ("play" in command) { if (active === null) return false; if (player.playing) player.stop(); else player.start(active); }
  else if ("reset" in command) { image?.resetView(); curve?.resetZoom(); }
  else if ("zoom" in command) {
    const v = image?.view;
    if (!v) return false;
    image.zoom(command.zoom, (v.x0 + v.x1) / 2, (v.y0 + v.y1) / 2);
  }
  return true;
}

/**
 * The viewer's keydown handler.
 * @param {KeyboardEvent} e
 * @param {KeyTarget} t
 */
export function onViewerKey(e, t) {
  e.stopPropagation(); // keys typed in the viewer are not notebook shortcuts
  if (e.target instanceof HTMLInputElement && e.target.type !== "range") {
    // commit on Enter ourselves: a host page may cancel the default action that fires "change"
    if (e.key === "Enter") e.target.dispatchEvent(new Event("change", { bubbles: true }));
    return;
  }
  if (e.target instanceof HTMLSelectElement) return;
  if (runKey(keyCommand(e.key), t)) e.preventDefault();
}
