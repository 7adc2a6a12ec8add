// Play a stack like a video: frames along one slider dimension at the model's `fps`, with
// `depth` requests in flight so the kernel reads the next frames while this one is drawn.
// Frames show in order; answers of a stopped run are dropped.
import { isAbort } from "../common/rpc.js";

export const PLAY_DEPTH = 3;

/**
 * @param {object} ctx {model, root, slicer(): Slicer, fetchFrame(sel, transposed, region, key),
 *   showFrame(frame), showError(err), setLast(selection), onStop()}
 */
export function createPlayer(ctx, depthMax = PLAY_DEPTH) {
  const { model, root } = ctx;
  let run = null; // the current run; a new object per start

  function stop() {
    if (!run) return;
    clearTimeout(run.timer);
    run = null;
    ctx.slicer()?.setPlaying(null);
    ctx.onStop();
  }

  function start(dim) {
    stop();
    const slicer = ctx.slicer();
    const n = model.get("meta").dims[dim].size;
    const depth = Math.min(depthMax, n);
    const gen = {};
    run = gen;
    slicer.setPlaying(dim);
    let nextShow = (slicer.mapping[dim] + 1) % n;
    const ready = new Map(), pending = new Set();
    let lastShown = 0, shown = 0;
    const t0 = performance.now();
    const transposed = slicer.transposed();
    const base = slicer.mapping.slice();
    const selectionAt = (i) => {
      const saved = slicer.mapping;
      slicer.mapping = base.map((m, d) => (d === dim ? i : m));
      const s = slicer.selection();
      slicer.mapping = saved;
      return s;
    };
    // keep the next `depth` frames requested or ready: the round trips overlap
    const fetchAhead = () => {
      for (let k = 0; k < depth && run === gen; k++) {
        const i = (nextShow + k) % n;
        if (ready.has(i) || pending.has(i)) continue;
        pending.add(i);
        ctx.fetchFrame(selectionAt(i), transposed, null, null).then((f) => {
          pending.delete(i);
          if (run !== gen) return;
          ready.set(i, f);
          pump();
        }, (err) => {
          pending.delete(i);
          if (run !== gen) return;
          if (isAbort(err)) fetchAhead(); else { ctx.showError(err); stop(); }
        });
      }
    };
    const pump = async () => {
      if (run !== gen || gen.busy) return;
      const f = ready.get(nextShow);
      if (!f) { fetchAhead(); return; }
      const wait = 1000 / model.get("fps") - (performance.now() - lastShown);
      if (wait > 1) { clearTimeout(gen.timer); gen.timer = setTimeout(pump, wait); return; }
      gen.busy = true;
      ready.delete(nextShow);
      lastShown = performance.now();
      slicer.mapping[dim] = nextShow;
      slicer._sync(dim);
      await ctx.showFrame(f);
      shown++;
      root.dataset.playFps = String((1000 * shown) / (performance.now() - t0));
      ctx.setLast(f.selection);
      model.set("selection", f.selection);
      // stopped while this frame was being painted: it stays on screen, so Python must hear of it (the
      // stop saved the frame before it)
      const stopped = run !== gen;
      // the trait follows at most 4 times a second while playing (each update is a message)
      if (stopped || !gen.pushed || performance.now() - gen.pushed > 250) {
        gen.pushed = performance.now();
        model.save_changes();
      }
      if (stopped) return;
      nextShow = (nextShow + 1) % n;
      gen.busy = false;
      fetchAhead();
      pump();
    };
    fetchAhead();
  }

  return { start, stop, get playing() { return run !== null; } };
}
