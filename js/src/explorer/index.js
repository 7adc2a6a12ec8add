// Entry of the Explorer widget (bundled to src/h5lens/widgets/static/explorer.js):
// the tree and the inspector of the selected node on the left; its viewer on the right.
import { ensureStyle, h } from "../common/dom.js";
import { createRpc } from "../common/rpc.js";
import treeCss from "../tree/tree.css";
import { createTree } from "../tree/tree.js";
import css from "./explorer.css";
import { createInspector } from "./inspector.js";
import { createViewArea } from "./view_area.js";

export default {
  render({ model, el, experimental, host }) {
    ensureStyle("h5lens-tree-css", treeCss);
    ensureStyle("h5lens-explorer-css", css);
    const rpc = createRpc(experimental);
    const left = h("div", { class: "h5l-main" });
    const side = h("div", { class: "h5l-side" });
    const about = h("div", { class: "h5l-about" });
    // three grid areas: the tree with the inspector under it on the left, the view on the right (one
    // column in a narrow cell: tree, view, inspector), so the attributes show on a laptop screen
    const root = h("div", { class: "h5l-explorer", role: "region", "aria-label": `Explorer: ${model.get("title")}` },
      left, side, about);
    el.classList.add("h5l-explorer-host"); // the layout follows the cell's width (container query)
    el.append(root);
    const addToPlot = async (/** @type {string} */ path) => (await rpc.call("add_to_plot", { path }))[0].message;
    const tree = createTree({ el: left, model, rpc, addToPlot });
    const view = createViewArea({ el: side, model, host });
    const inspector = createInspector({ el: about, rpc });

    let shown = null;
    async function onSelected() {
      const path = model.get("selected");
      if (path === shown) return;
      shown = path;
      if (!path) { inspector.clear(); view.clear(); return; }
      const info = await inspector.show(path);
      if (model.get("selected") === path) view.show(path, info);
    }
    model.on("change:selected", onSelected);
    // following: the inspector says the new shape of what is selected (the tree reloads its own rows)
    const onLive = () => { const path = model.get("selected"); if (path) inspector.show(path); };
    model.on("change:live", onLive);
    if (model.get("selected")) onSelected();
    el.h5lens = { tree, inspector, view, rpc }; // test and bench hook, on the widget's own element only
    return () => {
      model.off("change:selected", onSelected);
      model.off("change:live", onLive);
      rpc.close();
      tree.destroy();
      view.destroy();
      root.remove();
      el.classList.remove("h5l-explorer-host");
      delete el.h5lens;
    };
  },
};
