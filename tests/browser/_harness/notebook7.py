"""A real, isolated, headless Jupyter Notebook 7 on 127.0.0.1, driven like :class:`LabServer`.

Notebook 7 is a JupyterLab-based app: the same ``window.jupyterapp`` (exposed with
``expose_app_in_browser``), the same commands, a notebook per page at ``/notebooks/NAME``.
Only the command line and the notebook's address differ from JupyterLab's.
"""

from __future__ import annotations

from .lab import KERNEL_IDLE_JS, LabServer


class NotebookServer(LabServer):
    """``python -m notebook`` in ``tmp`` (root dir ``tmp/nb``); :meth:`stop` shuts it down."""

    MODULE = "notebook"
    APP = "JupyterNotebookApp"
    EXTRA = ()

    def open(self, page, name: str, cells: list[str], timeout: float = 60.0, run: bool = True) -> float:
        """Write notebook ``name``, open it at ``/notebooks/name``, wait for an idle kernel, run all cells."""
        self.write_notebook(name, cells)
        page.goto(f"{self.url}/notebooks/{name}?token={self.token}", wait_until="domcontentloaded")
        page.evaluate(KERNEL_IDLE_JS, int(timeout * 1000))
        if not run:
            return 0.0
        return page.evaluate("() => { const t = performance.now();"
                             " jupyterapp.commands.execute('notebook:run-all-cells'); return t; }")
