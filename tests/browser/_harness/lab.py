"""A real, isolated, headless JupyterLab on 127.0.0.1 and helpers to drive notebooks in it.

Isolation: own token, port, config/runtime/data/IPython dirs, settings and
workspaces, ``--allow-root``; notebooks are written into a temporary root so
autosave never touches a fixture. Every wait inside the page is raced against
a timer because ``page.evaluate`` has no timeout of its own (a kernel-picker
dialog would otherwise hang the run).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat

#: h5lens's opt-in server extension (h5lens/server.py): TCP_NODELAY on every kernel websocket
NODELAY_CONFIG = 'c.ServerApp.jpserver_extensions = {"h5lens.server": True}\n'

KERNEL_IDLE_JS = """async (ms) => {
  const timer = (what) => new Promise((_, rej) => setTimeout(() => rej(new Error(what)), ms));
  const wait = async () => {
    while (!(window.jupyterapp && jupyterapp.shell.currentWidget && jupyterapp.shell.currentWidget.sessionContext))
      await new Promise(r => setTimeout(r, 50));
    const sc = jupyterapp.shell.currentWidget.sessionContext;
    await sc.ready;
    for (;;) {
      const k = sc.session && sc.session.kernel;
      if (k && k.status === 'idle' && k.connectionStatus === 'connected') return;
      await new Promise(r => setTimeout(r, 50));
    }
  };
  await Promise.race([wait(), timer(`kernel not idle after ${ms} ms (kernel picker dialog?)`)]);
}"""

EXECUTE_JS = """async ([code, ms]) => {
  const k = jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const fut = k.requestExecute({code, store_history: false});
  let out = '', err = null;
  fut.onIOPub = (m) => {
    const t = m.header.msg_type, c = m.content;
    if (t === 'stream') out += c.text;
    else if (t === 'execute_result') out += c.data['text/plain'] + '\\n';
    else if (t === 'error') err = `${c.ename}: ${c.evalue}`;
  };
  await Promise.race([fut.done, new Promise((_, rej) =>
      setTimeout(() => rej(new Error('kernel execution timed out')), ms))]);
  return {out, err};
}"""


#: Where hatch_build.py puts this checkout's prebuilt "Open with h5lens" extension (labextensions/h5lens).
LABEXTENSION_ROOT = Path(__file__).resolve().parents[3] / "labextension" / "build"


def jupyter_path() -> list[str]:
    """``JUPYTER_PATH`` with this checkout's extension build first.

    The shared venv holds the copy of whichever checkout last ran ``pip install -e .``; Lab takes
    the first ``labextensions/h5lens`` on its path, so each checkout tests the extension it built.
    """
    rest = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    return [str(LABEXTENSION_ROOT), *rest]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notebook(cells: list[str]) -> nbformat.NotebookNode:
    """A notebook of code cells with a kernelspec (without one Lab opens a kernel picker)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


class LabServer:
    """``python -m jupyterlab`` in ``tmp`` (root dir ``tmp/nb``); :meth:`stop` shuts it down."""

    #: ``python -m MODULE`` starts the server; ``APP`` is its traitlets class for the app options.
    MODULE = "jupyterlab"
    APP = "LabApp"
    EXTRA = ("--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",)

    def __init__(self, tmp: Path, nodelay: bool = False, timeout: float = 60.0):
        self.tmp = Path(tmp)
        self.root = self.tmp / "nb"
        self.root.mkdir(parents=True, exist_ok=True)
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = self.tmp / "config"
        config.mkdir(exist_ok=True)
        if nodelay:
            (config / "jupyter_server_config.py").write_text(NODELAY_CONFIG)
        settings = self.tmp / "settings"
        settings.mkdir(exist_ok=True)
        (settings / "overrides.json").write_text(json.dumps({  # no news or update toasts
            "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}))
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
                   JUPYTER_DATA_DIR=str(self.tmp / "data"), IPYTHONDIR=str(self.tmp / "ipython"),
                   PYTHONUNBUFFERED="1", JUPYTER_PATH=os.pathsep.join(jupyter_path()))
        self.log_path = self.tmp / "jupyter.log"
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.command(settings), env=env, stdout=self._log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready(timeout)
        except Exception:
            self.stop()
            raise

    def command(self, settings: Path) -> list[str]:
        """The server's command line: loopback, own token and port, isolated settings and workspaces."""
        app = self.APP
        return [sys.executable, "-m", self.MODULE, "--no-browser", "--allow-root",
                "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                f"--{app}.expose_app_in_browser=True",
                f"--{app}.app_settings_dir={settings}",
                f"--{app}.user_settings_dir={self.tmp / 'user-settings'}",
                f"--{app}.workspaces_dir={self.tmp / 'workspaces'}", *self.EXTRA]

    def _request(self, path: str, method: str = "GET", timeout: float = 5):
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
            return json.loads(body) if body else None

    def _wait_ready(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}; "
                                   f"log:\n{self.log_path.read_text()[-3000:]}")
            try:
                self._request("/api/status", timeout=2)
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"jupyter lab not ready after {timeout} s")

    def write_notebook(self, name: str, cells: list[str]) -> Path:
        path = self.root / name
        nbformat.write(notebook(cells), path)
        return path

    def open(self, page, name: str, cells: list[str], timeout: float = 60.0, run: bool = True) -> float:
        """Write notebook ``name``, open it in ``page``, wait for an idle kernel and run all cells.

        Returns the ``performance.now()`` (ms) at which run-all was issued.
        """
        self.write_notebook(name, cells)
        page.goto(f"{self.url}/lab/tree/{name}?token={self.token}&reset", wait_until="domcontentloaded")
        page.evaluate(KERNEL_IDLE_JS, int(timeout * 1000))
        if not run:
            return 0.0
        return page.evaluate("() => { const t = performance.now();"
                             " jupyterapp.commands.execute('notebook:run-all-cells'); return t; }")

    @staticmethod
    def execute(page, code: str, timeout: float = 30.0) -> str:
        """Run ``code`` in the kernel of the page's current notebook; return its output."""
        res = page.evaluate(EXECUTE_JS, [code, int(timeout * 1000)])
        if res["err"]:
            raise AssertionError(f"kernel error: {res['err']}\n{res['out']}")
        return res["out"]

    def shutdown_kernels(self) -> None:
        for session in self._request("/api/sessions") or []:
            try:
                self._request(f"/api/sessions/{session['id']}", method="DELETE")
            except OSError:
                pass

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self._request("/api/shutdown", method="POST")
            except OSError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                self.proc.wait(timeout=10)
        self._log.close()
