// The "Open With → h5lens" choice. JupyterLab lists only document widget factories there, so
// h5lens registers one whose widget opens the notebook and closes itself. Its model factory has
// no file format: the document context then fetches the file's metadata only, never its bytes
// (a 10 GB HDF5 file must not travel to the browser), and its read-only model can never be
// saved over the data file.
import { ABCWidgetFactory, DocumentModel, DocumentWidget } from "@jupyterlab/docregistry";
import { Widget } from "@lumino/widgets";

export const FACTORY = "h5lens";
const MODEL = "h5lens-metadata-only";

/** A model that is never filled from the file and never written back. */
class MetadataOnlyModelFactory {
  name = MODEL;
  contentType = /** @type {const} */ ("file");
  fileFormat = null;
  collaborative = false;
  isDisposed = false;

  /** @param {{languagePreference?: string}} [options] */
  createNew(options = {}) {
    const model = new DocumentModel({ languagePreference: options.languagePreference, collaborationEnabled: false });
    model.readOnly = true;
    return model;
  }

  preferredLanguage() {
    return "";
  }

  dispose() {
    this.isDisposed = true;
  }
}

/** @extends {ABCWidgetFactory<DocumentWidget>} */
class OpenInNotebookFactory extends ABCWidgetFactory {
  /**
   * @param {import("@jupyterlab/docregistry").DocumentRegistry.IWidgetFactoryOptions} options
   * @param {(path: string) => Promise<unknown>} open
   */
  constructor(options, open) {
    super(options);
    this._open = open;
  }

  /** @param {import("@jupyterlab/docregistry").DocumentRegistry.Context} context */
  createNewWidget(context) {
    const content = new Widget();
    content.addClass("h5l-open-placeholder");
    content.node.textContent = `Opening ${context.path} in a notebook with h5lens…`;
    const widget = new DocumentWidget({ content, context });
    widget.title.label = context.localPath.split("/").pop() || context.path;
    // The tab only stands for the notebook being made; it goes once that notebook is open.
    void this._open(context.path).finally(() => widget.dispose());
    return widget;
  }
}

/**
 * Register the file types h5lens opens and the "h5lens" widget factory for them.
 * @param {import("@jupyterlab/docregistry").DocumentRegistry} registry
 * @param {string[]} extensions file endings (".h5"...); folders (".zarr") are left to the context menu
 * @param {(path: string) => Promise<unknown>} open
 */
export function registerOpenWith(registry, extensions, open) {
  const fileTypes = [];
  for (const ext of extensions) {
    const known = registry.getFileTypesForPath(`file${ext}`);
    if (known.length) {
      fileTypes.push(...known.map((t) => t.name)); // e.g. Lab's own "tiff" image type
      continue;
    }
    const name = `h5lens${ext.replace(".", "-")}`;
    registry.addFileType({ name, displayName: `${ext} data (h5lens)`, extensions: [ext], contentType: "file" });
    fileTypes.push(name);
  }
  registry.addModelFactory(new MetadataOnlyModelFactory());
  registry.addWidgetFactory(
    new OpenInNotebookFactory(
      { name: FACTORY, label: "h5lens", modelName: MODEL, fileTypes: [...new Set(fileTypes)], readOnly: true },
      open,
    ),
  );
  return fileTypes;
}
