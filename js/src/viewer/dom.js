// Small DOM helpers shared by the viewer's modules.

/**
 * `tag` with attributes (`class`, `text`, others as attributes) and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string>} [attrs]
 * @param {...(Node | string)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

/**
 * A <select> named `aria` with `options`, set to `value`, calling `onChange(value)`.
 * @param {string} aria
 * @param {readonly string[]} options
 * @param {string} value
 * @param {(value: string) => void} onChange
 */
export function select(aria, options, value, onChange) {
  const s = el("select", { "aria-label": aria });
  for (const o of options) s.append(el("option", { value: o, text: o }));
  s.value = value;
  s.addEventListener("change", () => onChange(s.value));
  return s;
}
