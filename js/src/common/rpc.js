// Request/response calls to the Python widget (anywidget `experimental.invoke`), with the
// h5lens envelope: Python replies {ok: true, ...} or {ok: false, error: {type, message}}.
// Every call carries an AbortSignal: a timeout of our own (anywidget's default is 3 s,
// too short for a slow shared filesystem) combined with cancellation of the previous call
// made under the same key (a newer request makes an older one stale) and of every call
// when the view is destroyed.

/** Error raised by a command that answered {ok: false}. */
export class CommandError extends Error {
  constructor(error) {
    super(error?.message ?? "unknown error");
    this.name = "CommandError";
    this.type = error?.type ?? "Error";
  }
}

/** True for the rejection of a cancelled (stale) call, which callers usually ignore. */
export function isAbort(err) {
  return err?.name === "AbortError" || err?.h5lensAbort === true;
}

/** @param {string} message */
function abortError(message) {
  return Object.assign(new Error(message), { name: "AbortError", h5lensAbort: true });
}

/**
 * @param {{invoke: Function}} experimental anywidget's `experimental` object
 * @param {{timeout?: number}} [options] default timeout in ms (30 s)
 */
export function createRpc(experimental, { timeout = 30000 } = {}) {
  const pending = new Map(); // key -> AbortController of the latest call with that key
  const all = new Set();
  let closed = false;

  /**
   * Call command `name`; resolve with [reply, buffers] or reject with CommandError,
   * a timeout Error or an AbortError (superseded or closed).
   * @param {string} name
   * @param {object} msg
   * @param {{key?: string, timeout?: number, buffers?: ArrayBuffer[]}} [opts]
   * @returns {Promise<[any, any[]]>}
   */
  async function call(name, msg = {}, opts = {}) {
    if (closed) throw abortError("widget closed");
    const ctl = new AbortController();
    const key = opts.key;
    if (key !== undefined) {
      pending.get(key)?.abort(abortError(`superseded ${name}`));
      pending.set(key, ctl);
    }
    all.add(ctl);
    const ms = opts.timeout ?? timeout;
    const timer = setTimeout(() => ctl.abort(new Error(`${name}: no answer from Python after ${ms / 1000} s`)), ms);
    try {
      const [reply, buffers] = await experimental.invoke(name, msg, { signal: ctl.signal, buffers: opts.buffers ?? [] });
      if (ctl.signal.aborted) throw ctl.signal.reason;
      if (!reply || reply.ok !== true) throw new CommandError(reply?.error);
      return [reply, buffers ?? []];
    } finally {
      clearTimeout(timer);
      all.delete(ctl);
      if (key !== undefined && pending.get(key) === ctl) pending.delete(key);
    }
  }

  /** Cancel the pending call made under `key`, if any (a newer answer made it stale). */
  function cancel(key) {
    pending.get(key)?.abort(abortError(`cancelled ${key}`));
    pending.delete(key);
  }

  /** Cancel every pending call (view teardown). */
  function close() {
    closed = true;
    for (const ctl of all) ctl.abort(abortError("widget closed"));
    all.clear();
    pending.clear();
  }

  return { call, cancel, close, get pendingCount() { return all.size; } };
}

/**
 * An `invoke(name, msg, {signal, buffers})` for a model other than the widget's own (a child
 * widget reached through `host.getModel`), speaking anywidget's command protocol on its comm:
 * `{id, kind: "anywidget-command", name, msg}` answered by an "anywidget-command-response"
 * custom message with the same id.
 * @param {{send: Function, on: Function, off: Function}} model
 * @returns {import("./protocol.js").Invoke}
 */
export function modelInvoke(model) {
  let counter = 0;
  return (name, msg, { signal = undefined, buffers = [] } = {}) => new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(signal.reason); return; }
    const id = `h5lens-${Date.now().toString(36)}-${++counter}`;
    const done = () => { model.off("msg:custom", handler); signal?.removeEventListener("abort", onAbort); };
    const handler = (reply, replyBuffers) => {
      if (reply?.kind !== "anywidget-command-response" || reply.id !== id) return;
      done();
      resolve([reply.response, replyBuffers ?? []]);
    };
    const onAbort = () => { done(); reject(signal.reason); };
    model.on("msg:custom", handler);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      model.send({ id, kind: "anywidget-command", name, msg }, undefined, buffers);
    } catch (err) { // a closed comm throws: the caller sees an error, not a hang
      done();
      reject(err);
    }
  });
}
