// Stand-in for anywidget's front-end `model` (AFM interface: get / set / on / off /
// save_changes / send) plus the `experimental.invoke` channel, for the static harness.
// Semantics follow Jupyter/Backbone where widget code depends on them:
//   * set() updates local state and fires "change:<key>" synchronously (no arguments, per AFM);
//   * save_changes() hands the dirty keys to `onSave` (the Python side in the harness);
//   * invoke() is answered by `onInvoke` and honours its AbortSignal like anywidget's does;
//   * binary buffers are DataViews, as in Jupyter.
export class FakeModel {
  constructor(state = {}) {
    this.state = { ...state };
    this.listeners = new Map(); // event -> [{cb, ctx}]
    this.dirty = new Set();
    this.saved = [];            // every save_changes() patch
    this.sent = [];             // every send()
    this.invoked = [];          // every invoke() {name, msg, hasSignal}
    this.onSave = null;         // (patch) => Promise|void
    this.onInvoke = null;       // (name, msg, buffers) => Promise<[reply, buffers]>
    this.onSend = null;
  }
  get(key) { return this.state[key]; }
  set(key, value) {
    const old = this.state[key];
    this.state[key] = value;
    this.dirty.add(key);
    if (old !== value) this._emit(`change:${key}`);
  }
  on(event, cb, ctx) {
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event).push({ cb, ctx });
  }
  off(event, cb, ctx) {
    for (const [ev, arr] of this.listeners) {
      if (event && ev !== event) continue;
      this.listeners.set(ev, arr.filter((l) => (cb && l.cb !== cb) || (ctx && l.ctx !== ctx)));
    }
  }
  save_changes() {
    const patch = {};
    for (const k of this.dirty) patch[k] = this.state[k];
    this.dirty.clear();
    this.saved.push(patch);
    if (this.onSave) queueMicrotask(() => this.onSave(patch));
  }
  send(content, callbacks, buffers = []) {
    this.sent.push({ content, buffers });
    if (this.onSend) queueMicrotask(() => this.onSend(content, buffers));
  }
  invoke(name, msg, { signal, buffers = [] } = {}) {
    this.invoked.push({ name, msg, hasSignal: signal instanceof AbortSignal });
    return new Promise((resolve, reject) => {
      if (signal?.aborted) { reject(signal.reason); return; }
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      Promise.resolve(this.onInvoke(name, msg, buffers)).then(resolve, reject);
    });
  }
  // ---- test helpers: what the Python side would do -------------------------------------------
  _fromBackend(patch) { // like a comm "update": set every key, then fire the events
    const changed = Object.keys(patch).filter((k) => this.state[k] !== patch[k]);
    Object.assign(this.state, patch);
    for (const k of changed) this._emit(`change:${k}`);
  }
  _emit(event, ...args) {
    for (const { cb, ctx } of [...(this.listeners.get(event) ?? [])]) cb.apply(ctx, args);
  }
  _listenerCount() { let n = 0; for (const a of this.listeners.values()) n += a.length; return n; }
}

// Load an AFM module and run its lifecycle like anywidget: initialize once per model, render per view.
// `host` stands in for anywidget's `host` (child widgets: `getModel(ref)`).
export async function mount(esmUrl, model, el, host = undefined) {
  const mod = await import(esmUrl);
  let def = mod.default ?? mod;
  if (typeof def === "function") def = await def();
  const experimental = { invoke: (name, msg, opts) => model.invoke(name, msg, opts) };
  const cleanupInit = await def.initialize?.({ model, experimental });
  const cleanupRender = await def.render?.({ model, el, experimental, host });
  return {
    destroy() {
      if (typeof cleanupRender === "function") cleanupRender();
      if (typeof cleanupInit === "function") cleanupInit();
      el.replaceChildren();
    },
  };
}
