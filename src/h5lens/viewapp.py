"""``h5lens view FILE…``: the explorer on a local web page, the ``silx view`` habit without Qt.

A notebook that calls :func:`h5lens.explore` on each file is written into a
private temporary folder and served by Voila (``pip install h5lens[view]``):
bound to 127.0.0.1 unless told otherwise, protected by a random token, with no
code cells shown. :func:`serve` prints the URL (and the ``ssh -L`` line that
reaches it from another machine), opens a browser when there is a display, and
stops Voila and removes the folder on Ctrl-C.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

NOTEBOOK = "h5lens.ipynb"
#: a Jupyter data folder holding voila/templates/h5lens
TEMPLATES = Path(__file__).resolve().parent / "_voila"
#: JupyterLab extensions Voila must not load: Notebook 7's needs the notebook app's document registry
DENIED_EXTENSIONS = ["@jupyter-notebook/lab-extension", "@voila-dashboards/jupyterlab-preview"]


def notebook(paths: list[str]) -> dict:
    """The nbformat-4 notebook that explores each of ``paths`` (its cells are hidden by Voila)."""
    cells = [_code("import h5lens")]
    for path in paths:
        cells.append({"cell_type": "markdown", "metadata": {}, "id": f"m{len(cells)}",
                      "source": f"### {_markdown_text(Path(path.split('::')[0]).name)}"})
        cells.append(_code(f"h5lens.explore({path!r})", f"c{len(cells)}"))
    return {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}


def _code(source: str, cell_id: str = "c0") -> dict:
    return {"cell_type": "code", "metadata": {}, "id": cell_id, "execution_count": None, "outputs": [],
            "source": source}


def _markdown_text(text: str) -> str:
    """A file name as literal markdown text (no emphasis, links or HTML)."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!<>|&" else c for c in text)


class SourceError(ValueError):
    """A source that cannot be opened (the message names it)."""


def check_sources(sources: list[str]) -> list[str]:
    """Absolute ``path[::/inner]`` of each source, after checking it opens.

    Raises
    ------
    SourceError
        One sentence naming the source that failed and why.
    """
    from ._open import _split_inner
    from ._open import open as h5open

    resolved = []
    for source in sources:
        path, inner = _split_inner(source)
        full = os.path.abspath(os.path.expanduser(path))
        full = full if inner is None else f"{full}::{inner}"
        try:
            h5open(full).root.close()
        except Exception as exc:  # every way of failing to open is about this source
            text = " ".join(str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc).split())
            if path not in text and os.path.basename(path) not in text:
                text = f"{source}: {text}"
            raise SourceError(text or f"{source}: {type(exc).__name__}") from exc
        resolved.append(full)
    return resolved


def free_port(ip: str) -> int:
    """A TCP port that is free on ``ip`` now."""
    with socket.socket() as s:
        s.bind((ip, 0))
        return s.getsockname()[1]


def voila_command(folder: Path, ip: str, port: int, token: str) -> list[str]:
    """The Voila command line serving ``folder/h5lens.ipynb``."""
    return [sys.executable, "-m", "voila", str(folder / NOTEBOOK), "--no-browser",
            f"--Voila.ip={ip}", f"--port={port}", "--Voila.port_retries=0", f"--token={token}",
            "--strip_sources=True", "--show_tracebacks=True",
            # h5lens' template: Voila's lab one without its CDN stylesheets (see _voila/)
            "--template=h5lens",
            # front-end extensions that fail outside their own app (page errors in Voila)
            f"--VoilaConfiguration.extension_denylist={DENIED_EXTENSIONS!r}"]


def voila_env(environ: dict | None = None) -> dict:
    """The environment of the Voila process: h5lens' template folder first on ``JUPYTER_PATH``."""
    env = dict(os.environ if environ is None else environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATES), env.get("JUPYTER_PATH", "")) if p)
    return env


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with code {proc.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers (a 403 without the token is an answer)
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"voila did not answer on {url} within {timeout:.0f} s")


def serve(sources: list[str], ip: str = "127.0.0.1", port: int = 0, browser: bool | None = None,
          token: str | None = None, timeout: float = 120.0, out=sys.stdout) -> int:
    """Serve the explorer on ``sources`` until Ctrl-C (or SIGTERM); return the exit code.

    Parameters
    ----------
    sources : list of str
        Files (``file::/path`` for a node) h5lens can open.
    ip : str
        Address to bind; 127.0.0.1 keeps the page on this machine (reach it
        through ``ssh -L``).
    port : int
        TCP port; 0 picks a free one.
    browser : bool, optional
        Open a web browser; None: only when there is a display.
    token : str, optional
        Access token (default: a random one).
    """
    if importlib.util.find_spec("voila") is None:
        raise RuntimeError("h5lens view needs Voila: pip install 'h5lens[view]'")
    paths = check_sources(sources)
    token = token or secrets.token_urlsafe(24)
    port = port or free_port(ip)
    folder = Path(tempfile.mkdtemp(prefix="h5lens-view-"))
    (folder / NOTEBOOK).write_text(json.dumps(notebook(paths), indent=1), encoding="utf-8")
    host = f"[{ip}]" if ":" in ip else ip
    url = f"http://{host}:{port}/?token={token}"
    log = open(folder / "voila.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(voila_command(folder, ip, port, token), cwd=folder, stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT, env=voila_env(),
                            start_new_session=True)  # Ctrl-C reaches us alone; we stop voila ourselves
    stop = _stopper(proc)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # stopped like Ctrl-C, outside the handler
    try:
        try:
            _wait_ready(f"http://{host}:{port}/", proc, timeout)
        except (RuntimeError, TimeoutError) as exc:
            tail = (folder / "voila.log").read_text(errors="replace").strip().splitlines()[-1:]
            raise RuntimeError(f"{exc}: {tail[0] if tail else 'no output'}") from None
        print(f"h5lens view: {', '.join(Path(p.split('::')[0]).name for p in paths)}\n"
              f"    {url}\n"
              f"from another machine: ssh -L {port}:127.0.0.1:{port} {socket.gethostname()}, then open the URL"
              " there\nCtrl-C stops the server.", file=out, flush=True)
        if browser or (browser is None and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))):
            import webbrowser

            webbrowser.open(url)
        proc.wait()
        return 0 if proc.returncode in (0, -signal.SIGTERM, -signal.SIGINT) else 1
    except KeyboardInterrupt:
        print("h5lens view: stopping", file=out, flush=True)
        return 0
    finally:
        stop()
        log.close()
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(folder, ignore_errors=True)


def _interrupt(signum, frame):
    """SIGTERM handler: unwind as Ctrl-C does (stopping Voila inside a handler would re-enter its wait)."""
    raise KeyboardInterrupt


def _stopper(proc: subprocess.Popen):
    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()  # voila shuts its kernels down on SIGTERM
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return stop
