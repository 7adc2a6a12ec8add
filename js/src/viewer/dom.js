// Small DOM helpers shared by the viewer's modules.

/** `tag` with attributes (`class`, `text`, others as attributes) and children. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

/** A <select> named `aria` with `options`, set to `value`, calling `onChange(value)`. */
export function select(aria, options, value, onChange) {
  const s = el("select", { "aria-label": aria });
  for (const o of options) s.append(el("option", { value: o, text: o }));
  s.value = value;
  s.addEventListener("change", () => onChange(s.value));
  return s;
}
