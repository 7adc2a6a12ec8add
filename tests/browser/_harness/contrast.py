"""WCAG contrast in the page: the helpers every contrast check composes (luminance of a CSS colour,
the first opaque background behind an element, the ratio of a text colour over that background)."""

#: JS statements defining ``lum(colour)``, ``bgOf(element)`` and ``ratio(colour, element)``.
CONTRAST_HELPERS = """
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bgOf = (el) => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
      if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
  const ratio = (fg, el) => { const a = lum(fg), b = lum(bgOf(el)); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
"""
