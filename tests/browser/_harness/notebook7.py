"""A real, isolated, headless Jupyter Notebook 7 on 127.0.0.1, driven like :class:`LabServer`.

Notebook 7 is a JupyterLab-based app: the same ``window.jupyterapp`` (exposed with
``expose_app_in_browser``), the same commands, a notebook per page at ``/notebooks/NAME``.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from .lab import KERNEL_IDLE_JS, LabServer, free_port


class NotebookServer(LabServer):
    """``python -m notebook`` in ``tmp`` (root dir ``tmp/nb``); :meth:`stop` shuts it down."""

    def __init__(self, tmp: Path, timeout: float = 60.0):  # noqa: D107 - same as LabServer
        self.tmp = Path(tmp)
        self.root = self.tmp / "nb"
        self.root.mkdir(parents=True, exist_ok=True)
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings = self.tmp / "settings"
        settings.mkdir(exist_ok=True)
        (settings / "overrides.json").write_text(json.dumps({  # no news or update toasts
            "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}))
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
                   JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"), JUPYTER_DATA_DIR=str(self.tmp / "data"),
                   IPYTHONDIR=str(self.tmp / "ipython"), PYTHONUNBUFFERED="1")
        cmd = [sys.executable, "-m", "notebook", "--no-browser", "--allow-root",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
               "--JupyterNotebookApp.expose_app_in_browser=True",
               f"--JupyterNotebookApp.app_settings_dir={settings}",
               f"--JupyterNotebookApp.user_settings_dir={self.tmp / 'user-settings'}",
               f"--JupyterNotebookApp.workspaces_dir={self.tmp / 'workspaces'}"]
        self.log_path = self.tmp / "jupyter.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed by stop()
        self.proc = subprocess.Popen(cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready(timeout)
        except Exception:
            self.stop()
            raise

    def open(self, page, name: str, cells: list[str], timeout: float = 60.0, run: bool = True) -> float:
        """Write notebook ``name``, open it at ``/notebooks/name``, wait for an idle kernel, run all cells."""
        self.write_notebook(name, cells)
        page.goto(f"{self.url}/notebooks/{name}?token={self.token}", wait_until="domcontentloaded")
        page.evaluate(KERNEL_IDLE_JS, int(timeout * 1000))
        if not run:
            return 0.0
        return page.evaluate("() => { const t = performance.now();"
                             " jupyterapp.commands.execute('notebook:run-all-cells'); return t; }")
