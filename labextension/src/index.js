// "Open with h5lens" in JupyterLab's file browser: a context-menu entry on the files (and Zarr
// folders) h5lens reads, and an "Open With → h5lens" choice; both open a notebook beside the file
// browser that runs h5lens.explore on the file.
import { IDocumentManager } from "@jupyterlab/docmanager";
import { IDefaultFileBrowser } from "@jupyterlab/filebrowser";
import { INotebookTracker } from "@jupyterlab/notebook";
import { notebookIcon } from "@jupyterlab/ui-components";

import { EXTENSIONS, h5lensExtension } from "./code.js";
import { registerOpenWith } from "./factory.js";
import { openInNotebook, runIfJustMade } from "./open.js";

const COMMAND = "h5lens:open";

/**
 * @typedef {import("@jupyterlab/application").JupyterFrontEnd} JupyterFrontEnd
 * @typedef {import("@jupyterlab/filebrowser").FileBrowser} FileBrowser
 */

/**
 * The selected file browser items h5lens can open.
 * @param {FileBrowser | null} browser
 */
function selection(browser) {
  if (!browser) return [];
  return [...browser.selectedItems()].filter((item) => h5lensExtension(item.name, item.type));
}

/** @type {import("@jupyterlab/application").JupyterFrontEndPlugin<void>} */
const plugin = {
  id: "h5lens:open-with",
  description: "Open HDF5/NeXus, detector image, SPEC and Zarr files with h5lens in a new notebook.",
  autoStart: true,
  requires: [IDocumentManager],
  optional: [IDefaultFileBrowser, INotebookTracker], // Notebook 7's notebook pages have no file browser
  /**
   * @param {JupyterFrontEnd} app
   * @param {IDocumentManager} docManager
   * @param {FileBrowser | null} browser
   * @param {import("@jupyterlab/notebook").INotebookTracker | null} notebooks
   */
  activate(app, docManager, browser, notebooks) {
    notebooks?.forEach((panel) => void runIfJustMade(panel)); // Notebook 7 may open it before this runs
    notebooks?.widgetAdded.connect((_, panel) => void runIfJustMade(panel));
    const open = (/** @type {string} */ path) => openInNotebook(docManager, path);
    app.commands.addCommand(COMMAND, {
      label: "Open with h5lens",
      caption: "Explore the file with h5lens in a new notebook",
      icon: notebookIcon,
      isVisible: (args) => Boolean(args.path) || selection(browser).length > 0,
      execute: async (args) => {
        const paths = args.path ? [String(args.path)] : selection(browser).map((item) => item.path);
        return Promise.all(paths.map(open));
      },
    });
    app.contextMenu.addItem({ command: COMMAND, selector: ".jp-DirListing-item[data-isdir]", rank: 1 });
    const files = EXTENSIONS.filter((ext) => h5lensExtension(`file${ext}`, "file"));
    registerOpenWith(app.docRegistry, files, open);
  },
};

export default plugin;
