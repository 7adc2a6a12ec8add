"""Sphinx configuration of the h5lens documentation (built by scripts/docs, offline, warnings as errors)."""

from __future__ import annotations

import h5lens

project = "h5lens"
author = "The h5lens developers"
copyright = "2026, The h5lens developers"  # noqa: A001 - Sphinx's name
release = version = h5lens.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",  # numpy-style docstrings
    "sphinx.ext.viewcode",
    "myst_nb",  # the notebooks, executed at build time, and the markdown pages
]
# No intersphinx: the build needs no network.
napoleon_google_docstring = False
napoleon_numpy_docstring = True
autodoc_member_order = "bysource"
autodoc_typehints = "description"

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
nb_execution_mode = "force"  # stored stripped: every notebook runs once per build
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
# Live widget views need a kernel (and myst-nb would load the widget manager from a CDN): the pages show
# each widget's static HTML instead (the glance, or the viewer's PNG thumbnail).
nb_ipywidgets_js: dict = {}
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None),
                              ("html", "application/vnd.jupyter.widget-state+json", None)]

html_theme = "pydata_sphinx_theme"
html_title = f"h5lens {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "icon_links": [],  # no external icons or links: the site opens offline
}
html_static_path: list[str] = []
