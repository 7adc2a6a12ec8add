// Ambient declarations for the type check (npm run typecheck); nothing here is bundled.

// CSS files are imported as text (esbuild's `text` loader, see build.mjs).
declare module "*.css" {
  const text: string;
  export default text;
}

// The test and embedding hook each widget hangs on its own element (never on window).
interface HTMLElement {
  h5lens?: any;
}
