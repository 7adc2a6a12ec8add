// Ambient declarations for the type check (npm run typecheck); nothing here is bundled.

// CSS files are imported as text (esbuild's `text` loader, see build.mjs).
declare module "*.css" {
  const text: string;
  export default text;
}

// Another widget's built bundle as text (build.mjs's h5lens-bundle plugin), compiled when first needed.
declare module "h5lens-bundle:*" {
  const source: string;
  export default source;
}

// The test and embedding hook each widget hangs on its own element (never on window).
interface HTMLElement {
  h5lens?: any;
}

// A worker's script, bundled on its own as text (build.mjs's h5lens-worker plugin), run from a Blob URL.
declare module "h5lens-worker:*" {
  const source: string;
  export default source;
}
