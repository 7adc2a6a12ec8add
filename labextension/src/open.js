// Open a data file in a new notebook that runs `h5lens.explore(<path>)`.
// A notebook rather than a console: it keeps the explorer wide in the main area, and the user can
// go on from it (ex.selected, h5lens.view...) and save it as the record of what was looked at.
// The notebook runs where it opens: in Lab's main area, or in the new browser tab Notebook 7 opens
// it in. The page that made it lists it in localStorage (shared by the server's tabs); only a
// notebook on that list runs on opening, once, so a notebook file from elsewhere never runs by
// being opened.
import { Dialog, showErrorMessage } from "@jupyterlab/apputils";
import { PathExt } from "@jupyterlab/coreutils";
import { NotebookActions, NotebookPanel } from "@jupyterlab/notebook";

import { exploreSource, notebookCandidates, notebookContent } from "./code.js";

/**
 * @typedef {import("@jupyterlab/docmanager").IDocumentManager} IDocumentManager
 * @typedef {import("@jupyterlab/services").Contents.IManager} IContents
 */

const PENDING = "h5lens:run-on-open";
const FRESH_MS = 120_000;

/** The notebooks made in the last two minutes and not run yet: {path: time made}. */
function pending() {
  let made = {};
  try {
    made = JSON.parse(localStorage.getItem(PENDING) || "{}");
  } catch {
    // a damaged entry is an empty list
  }
  const now = Date.now();
  return Object.fromEntries(Object.entries(made).filter(([, t]) => now - Number(t) < FRESH_MS));
}

/**
 * Run `panel` if this extension just made it (and forget it, so it runs once).
 * @param {NotebookPanel} panel
 */
export async function runIfJustMade(panel) {
  await panel.context.ready;
  // Notebook 7's file browser page makes a panel it never shows before opening the new tab
  if (!panel.isAttached) return;
  const made = pending();
  if (!(panel.context.path in made)) return;
  delete made[panel.context.path];
  localStorage.setItem(PENDING, JSON.stringify(made));
  await panel.sessionContext.ready;
  await NotebookActions.runAll(panel.content, panel.sessionContext);
}

/**
 * Whether `path` exists on the server.
 * @param {IContents} contents
 * @param {string} path
 */
async function exists(contents, path) {
  try {
    await contents.get(path, { content: false });
    return true;
  } catch (err) {
    if (err?.response?.status === 404) return false;
    throw err;
  }
}

/**
 * Write a new notebook exploring `path` in folder `dir`; returns its path.
 * @param {IContents} contents
 * @param {string} dir
 * @param {string} path
 * @param {{name: string, display_name?: string, language?: string}} kernel
 */
async function writeNotebook(contents, dir, path, kernel) {
  for (const candidate of notebookCandidates(dir, path)) {
    if (await exists(contents, candidate)) continue;
    const content = notebookContent(exploreSource(dir, path), kernel);
    await contents.save(candidate, { type: "notebook", format: "json", content });
    return candidate;
  }
  throw new Error(`every notebook name for ${path} in ${dir || "the root folder"} is taken`);
}

/**
 * The default kernel's spec (the notebook must name one, or Lab asks which kernel to use).
 * @param {import("@jupyterlab/services").ServiceManager.IManager} services
 */
async function defaultKernel(services) {
  await services.kernelspecs.ready;
  const specs = services.kernelspecs.specs;
  const name = specs?.default || "python3";
  const spec = specs?.kernelspecs?.[name];
  return { name, display_name: spec?.display_name || name, language: spec?.language || "python" };
}

/**
 * Create the notebook beside `path` (or in the root folder when that folder is read-only, as
 * beamline data often is) and open it; the notebook tracker runs it (runIfJustMade).
 * @param {IDocumentManager} docManager
 * @param {string} path data file, relative to the server root
 * @returns {Promise<NotebookPanel | null>}
 */
export async function openInNotebook(docManager, path) {
  const { contents } = docManager.services;
  try {
    const kernel = await defaultKernel(docManager.services);
    const dir = PathExt.dirname(path);
    let notebook;
    try {
      notebook = await writeNotebook(contents, dir, path, kernel);
    } catch (err) {
      if (!dir) throw err;
      notebook = await writeNotebook(contents, "", path, kernel); // a read-only data folder
    }
    localStorage.setItem(PENDING, JSON.stringify({ ...pending(), [notebook]: Date.now() }));
    // No kernel argument: Notebook 7's file browser page would start a session of its own for the
    // panel it makes and never shows; the notebook's kernelspec picks the kernel where it opens.
    const panel = docManager.openOrReveal(notebook, "Notebook");
    return panel instanceof NotebookPanel ? panel : null; // Notebook 7 opens it in a new tab
  } catch (err) {
    const reason = err?.message || String(err);
    await showErrorMessage("Open with h5lens", `h5lens could not open ${path} in a notebook: ${reason}`, [
      Dialog.okButton(),
    ]);
    return null;
  }
}
