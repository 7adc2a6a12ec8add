// node --test: the command client (envelope, timeouts, cancellation of stale calls).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRpc, CommandError, isAbort, modelInvoke } from "../../js/src/common/rpc.js";

// a fake anywidget `experimental` whose invoke resolves after `delay` ms, honouring the signal
function fakeExperimental(answer, delay = 5) {
  const seen = [];
  return {
    seen,
    invoke(name, msg, { signal }) {
      seen.push({ name, msg, signal });
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => resolve([answer(name, msg), []]), delay);
        signal.addEventListener("abort", () => { clearTimeout(t); reject(signal.reason); });
      });
    },
  };
}

test("ok replies resolve and every call carries an AbortSignal", async () => {
  const ex = fakeExperimental((name, msg) => ({ ok: true, echo: msg.x }));
  const rpc = createRpc(ex);
  const [reply] = await rpc.call("children", { x: 4 });
  assert.equal(reply.echo, 4);
  assert.ok(ex.seen[0].signal instanceof AbortSignal);
});

test("ok:false becomes a CommandError with the Python type", async () => {
  const rpc = createRpc(fakeExperimental(() => ({ ok: false, error: { type: "KeyError", message: "no member 'x'" } })));
  await assert.rejects(rpc.call("children"), (e) => e instanceof CommandError && e.type === "KeyError" && /no member/.test(e.message));
});

test("a newer call with the same key aborts the stale one", async () => {
  const rpc = createRpc(fakeExperimental((n, m) => ({ ok: true, v: m.v }), 20));
  const first = rpc.call("search", { v: 1 }, { key: "search" });
  const second = rpc.call("search", { v: 2 }, { key: "search" });
  await assert.rejects(first, (e) => isAbort(e));
  assert.equal((await second)[0].v, 2);
  assert.equal(rpc.pendingCount, 0);
});

test("own timeout rejects with a readable message", async () => {
  const rpc = createRpc(fakeExperimental(() => ({ ok: true }), 200), { timeout: 20 });
  await assert.rejects(rpc.call("slow"), /no answer from Python after 0.02 s/);
});

test("close() cancels pending calls and refuses new ones", async () => {
  const rpc = createRpc(fakeExperimental(() => ({ ok: true }), 50));
  const p = rpc.call("children");
  rpc.close();
  await assert.rejects(p, (e) => isAbort(e));
  await assert.rejects(rpc.call("children"), (e) => isAbort(e));
});

// a child model on a comm: commands go out with send() and come back as "msg:custom" replies
function fakeChildModel({ closed = false } = {}) {
  const handlers = new Set();
  const model = {
    sent: [],
    on(ev, cb) { if (ev === "msg:custom") handlers.add(cb); },
    off(ev, cb) { handlers.delete(cb); },
    send(content, callbacks, buffers) {
      if (closed) throw new Error("Widget is closed");
      model.sent.push({ content, buffers });
      // replies may come out of order and other custom messages go by: only the matching id counts
      setTimeout(() => {
        for (const cb of [...handlers]) cb({ kind: "something-else", id: content.id }, []);
        for (const cb of [...handlers]) cb({ kind: "anywidget-command-response", id: content.id,
          response: { ok: true, name: content.name, x: content.msg.x } }, [new DataView(new ArrayBuffer(2))]);
      }, content.msg.delay ?? 1);
    },
    get listeners() { return handlers.size; },
  };
  return model;
}

test("modelInvoke speaks anywidget's command protocol on another model's comm", async () => {
  const child = fakeChildModel();
  const rpc = createRpc({ invoke: modelInvoke(child) });
  const [slow, fast] = await Promise.all([rpc.call("frame", { x: 1, delay: 20 }), rpc.call("luts", { x: 2 })]);
  assert.deepEqual([slow[0].name, slow[0].x, fast[0].name, fast[0].x], ["frame", 1, "luts", 2]);
  assert.equal(slow[1].length, 1);
  assert.equal(child.sent[0].content.kind, "anywidget-command");
  assert.notEqual(child.sent[0].content.id, child.sent[1].content.id);
  assert.equal(child.listeners, 0); // every reply handler is removed
});

test("modelInvoke: a superseded call is aborted and its handler removed; a closed comm rejects", async () => {
  const child = fakeChildModel();
  const rpc = createRpc({ invoke: modelInvoke(child) });
  const first = rpc.call("frame", { x: 1, delay: 30 }, { key: "frame" });
  const second = rpc.call("frame", { x: 2 }, { key: "frame" });
  await assert.rejects(first, (err) => isAbort(err));
  assert.equal((await second)[0].x, 2);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(child.listeners, 0);
  const closed = createRpc({ invoke: modelInvoke(fakeChildModel({ closed: true })) });
  await assert.rejects(closed.call("frame", {}), /closed/);
});
