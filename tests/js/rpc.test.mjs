// node --test: the command client (envelope, timeouts, cancellation of stale calls).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRpc, CommandError, isAbort } from "../../js/src/common/rpc.js";

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
