// "Search deeper": ask Python to walk the file for names containing the query, within a
// time budget per call; show a visible "searching…" state, the hits as a list of paths,
// and a "Continue" button when the budget ran out before the walk finished.
import { h } from "../common/dom.js";
import { isAbort } from "../common/rpc.js";

const BUDGET_MS = 1500;

/**
 * @param {{rpc: any, results: HTMLElement, status: HTMLElement, deeper: HTMLButtonElement,
 *          select: (path: string) => void, showError: Function}} parts
 */
export function createSearch({ rpc, results, status, deeper, select, showError }) {
  let current = "";
  let list = null;
  let hits = 0;

  function reset(query) {
    if (query === current) return;
    current = "";
    hits = 0;
    results.hidden = true;
    results.replaceChildren();
    delete results.dataset.state;
    // a new query makes a running search stale: cancel it by calling with the same key
    if (!query) rpc.call("search", { query: "" }, { key: "search" }).catch(() => {});
  }

  async function run(query, resume = false) {
    if (!query) return;
    if (!resume || !list) {
      current = query;
      hits = 0;
      list = h("ul", { class: "h5l-hits", "aria-label": `Search results for ${query}` });
      results.replaceChildren(list);
    }
    results.hidden = false;
    results.dataset.state = "searching";
    status.textContent = "searching…";
    deeper.disabled = true;
    results.querySelector(".h5l-continue")?.remove();
    try {
      const [reply] = await rpc.call("search", { query, resume, budget_ms: BUDGET_MS },
        { key: "search", timeout: BUDGET_MS + 30000 });
      if (query !== current) return;
      for (const item of reply.hits) {
        hits++;
        const b = h("button", { class: "h5l-hit", type: "button", "aria-label": `Go to ${item.path}`,
          dataset: { path: item.path } }, h("span", { class: "h5l-hit-path" }, item.path),
          h("span", { class: "h5l-label" }, item.link ? `→ ${item.link.target}` : item.label));
        b.addEventListener("click", () => select(item.path));
        list.append(h("li", {}, b));
      }
      results.dataset.state = reply.complete ? "done" : "partial";
      const what = `${hits} match${hits === 1 ? "" : "es"} in ${reply.scanned} nodes`;
      status.textContent = reply.complete ? `${what} (whole file searched)` : `${what} so far`;
      if (reply.warning) status.textContent += ` — ${reply.warning}`;
      if (!reply.complete) {
        const more = h("button", { class: "h5l-button h5l-continue", type: "button",
          "aria-label": "Continue searching" }, "Continue searching");
        more.addEventListener("click", () => run(query, true));
        results.append(more);
      }
    } catch (err) {
      if (isAbort(err)) return;
      results.dataset.state = "error";
      status.textContent = "search failed";
      showError(err, "search: ");
    } finally {
      deeper.disabled = false;
    }
  }

  return { run, reset, destroy() { current = ""; } };
}
