"""Jupyter widgets (anywidget): thin shells over the node tree.

This is the only package that imports anywidget. Each widget's front-end is
one bundled ES module in ``static/`` (built from ``js/src/<name>/``); bulk
data travels through commands (see :mod:`h5lens.widgets._base`), small state
through traits. Public names are exposed lazily by :mod:`h5lens`.
"""
