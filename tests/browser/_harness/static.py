"""Static harness: the built widget bundle on a plain page, its Python side bridged in-process.

The page (``index.html`` + ``fake_model.js``) mounts a bundle from
``src/h5lens/widgets/static`` on a fake anywidget model. Instead of canned
answers, the model's ``invoke`` and ``save_changes`` are forwarded through
Playwright bindings to a *real* Python widget in the test process: commands
run the actual code on actual files, and trait changes flow both ways. What
this leaves out (comm serialisation, the widget manager) the JupyterLab tests
cover.
"""

from __future__ import annotations

import base64
import functools
import http.server
import importlib.util
import json
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
#: the bundles of the h5lens that is imported: the source tree's, or an installed wheel's
#: (scripts/test_wheel), found without importing the package
STATIC = Path(importlib.util.find_spec("h5lens").origin).parent / "widgets" / "static"
#: traits that are code or layout, not widget state the front-end reads
SKIP_TRAITS = {"_esm", "_css", "layout", "_dom_classes", "tabbable", "tooltip"}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the harness folder, and the built bundles under /static/."""

    def translate_path(self, path):
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean.startswith("/static/"):
            return str(STATIC / Path(clean[len("/static/"):]).name)
        return super().translate_path(path)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a rebuilt bundle is always re-read
        super().end_headers()

    def log_message(self, *args):  # keep test output clean
        pass


class StaticServer:
    """A threaded HTTP server on 127.0.0.1 (random port) for the harness page."""

    def __init__(self):
        handler = functools.partial(_Handler, directory=str(HERE))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Bridge:
    """Connects the page's fake model to a Python widget (commands and traits).

    Child widgets that the widget names in its traits (``"anywidget:<id>"``, as
    the explorer's ``viewer``) get bridges of their own, created when the page
    asks for their model; every reply carries the pending changes of all of
    them (``{ref: patch}``, ``""`` for the widget itself).
    """

    def __init__(self, page, widget, family: dict | None = None):
        self.page = page
        self.widget = widget
        self.family = family if family is not None else {"": self}
        self.names = [n for n in widget.keys if n not in SKIP_TRAITS]
        self.outbox: dict = {}
        self._incoming: dict | None = None
        self.calls: list[str] = []
        widget.observe(self._changed, names=self.names)

    def state(self) -> dict:
        return self._json(self.widget.get_state(self.names))

    @staticmethod
    def _json(value):
        # what a comm would carry: strict JSON (no NaN), as the Jupyter session serialiser
        return json.loads(json.dumps(value, allow_nan=False))

    def _changed(self, change):
        if self._incoming is not None and change.name in self._incoming:
            return  # the front-end's own change: a comm would not echo it back
        self.outbox.update(self.widget.get_state([change.name]))

    def drain(self) -> dict:
        out, self.outbox = self._json(self.outbox), {}
        return out

    def drain_all(self) -> dict:
        """Pending changes of every bridged widget, ``{ref: patch}``."""
        return {ref: patch for ref, b in self.family.items() if (patch := b.drain())}

    def _member(self, ref: str) -> Bridge:
        return self.family[ref or ""]

    def child(self, ref: str) -> dict:
        """Bridge the child widget named ``ref`` in some bridged widget's traits; its state."""
        if ref not in self.family:
            for b in list(self.family.values()):
                for name in b.names:
                    value = getattr(b.widget, name, None)
                    if getattr(value, "model_id", None) and f"anywidget:{value.model_id}" == ref:
                        self.family[ref] = Bridge(self.page, value, self.family)
            if ref not in self.family:
                raise KeyError(f"no child widget {ref!r}")
        return self.family[ref].state()

    def invoke(self, name: str, msg, buffers: list[str], ref: str = "") -> dict:
        target = self._member(ref)
        target.calls.append(name)
        method = getattr(type(target.widget), name, None)
        if method is None or not getattr(method, "_anywidget_command", False):
            raise AttributeError(f"{type(target.widget).__name__} has no command {name!r}")
        reply, out = getattr(target.widget, name)(msg, [base64.b64decode(b) for b in buffers])
        return {"reply": self._json(reply), "patches": self.drain_all(),
                "buffers": [base64.b64encode(bytes(b)).decode("ascii") for b in out]}

    def save(self, patch: dict, ref: str = "") -> dict:
        target = self._member(ref)
        target._incoming = patch
        try:
            target.widget.set_state(patch)
        finally:
            target._incoming = None
        return self.drain_all()

    def push(self) -> None:
        """Send Python-side trait changes to the page (like a comm update)."""
        patches = self.drain_all()
        if patches:
            self.page.evaluate("(p) => harness.apply(p)", patches)


class Harness:
    """One page of the static harness; :meth:`mount` shows a widget on it."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        self.bridge: Bridge | None = None
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))

    def mount(self, widget, bundle: str | None = None, theme: str = "light") -> int:
        """Mount ``widget``'s bundle (``static/<bundle>.js``, default ``widget._bundle``)."""
        bundle = bundle or widget._bundle
        if not (STATIC / f"{bundle}.js").is_file():
            raise FileNotFoundError(f"{STATIC / bundle}.js is not built: run `python hatch_build.py`")
        self.bridge = bridge = Bridge(self.page, widget)
        self.page.expose_function("__h5invoke", bridge.invoke)
        self.page.expose_function("__h5save", bridge.save)
        self.page.expose_function("__h5child", bridge.child)
        self.page.goto(f"{self.base_url}/index.html")
        self.page.wait_for_function("window.harnessReady === true")
        if theme == "dark":
            self.page.evaluate("document.body.dataset.jpThemeLight = 'false'")
        return self.page.evaluate("(a) => harness.start(a)",
                                  {"bundle": f"/static/{bundle}.js", "state": bridge.state()})

    def set(self, **traits) -> None:
        """Set traits on the Python widget and deliver the update to the page."""
        for name, value in traits.items():
            setattr(self.bridge.widget, name, value)
        self.bridge.push()
