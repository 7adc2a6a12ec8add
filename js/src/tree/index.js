// Entry of the Tree widget (bundled to src/h5lens/widgets/static/tree.js).
import { ensureStyle } from "../common/dom.js";
import { createRpc } from "../common/rpc.js";
import css from "./tree.css";
import { createTree } from "./tree.js";

export default {
  render({ model, el, experimental }) {
    ensureStyle("h5lens-tree-css", css);
    const rpc = createRpc(experimental);
    const tree = createTree({ el, model, rpc });
    el.h5lens = { ...tree, rpc }; // test and bench hook, on the widget's own element only
    return () => {
      rpc.close();
      tree.destroy();
      delete el.h5lens;
    };
  },
};
