"""What every h5lens widget shares: its bundle, the command envelope, the HTML fallback.

Commands are the request/response channel of anywidget
(``@anywidget.experimental.command`` in Python, ``experimental.invoke`` in
JavaScript). :func:`command` wraps each one so that it always answers
``{"ok": True, ...}`` or ``{"ok": False, "error": {"type", "message"}}``: an
exception raised while reading a file becomes an error shown inside the
widget and never reaches the comm (where it would leave the front-end
waiting for a reply that never comes). Commands are plain methods
``(self, msg: dict, buffers: list) -> (reply, buffers)``, so pytest can call
them directly, without a kernel.
"""

from __future__ import annotations

import functools
import html
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
from anywidget.experimental import command as _anywidget_command

from .. import wire

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("h5lens.widgets")


def bundle(name: str) -> Path:
    """Path of the built front-end module ``static/<name>.js``.

    Raises
    ------
    FileNotFoundError
        With the command that builds it, when the bundle is missing (a source
        checkout that was never installed with ``pip install -e .``).
    """
    path = STATIC / f"{name}.js"
    if not path.is_file():
        raise FileNotFoundError(
            f"the h5lens front-end bundle {path} is missing. Build it from the repository root "
            "with `python hatch_build.py` (needs node and npm), or reinstall with `pip install -e .`."
        )
    return path


def text_safe(text: str) -> str:
    """``text`` encodable as UTF-8: lone surrogates (undecodable bytes of a name) as escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_reply(exc: BaseException) -> dict:
    """The envelope of a failed command."""
    message = str(exc) if str(exc) else type(exc).__name__
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        message = exc.args[0]  # KeyError's str() adds quotes
    return {"ok": False, "error": {"type": type(exc).__name__, "message": text_safe(message)}}


def check_json(reply: dict) -> None:
    """Raise ValueError unless ``reply`` is strict JSON in UTF-8, as the comm needs.

    Jupyter's serialiser would otherwise send NaN or undecodable bytes that the
    browser cannot parse, and the front-end would wait for a reply in vain.
    """
    try:
        json.dumps(reply, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the reply cannot be sent to the browser: {exc}") from None


def command(func: Callable) -> Callable:
    """Mark ``func(self, msg, buffers)`` as an anywidget command with the reply envelope.

    ``func`` returns a dict (no buffers) or ``(dict, buffers)``; the reply is
    that dict with ``ok: True`` added. Any exception, or a reply that is not
    strict JSON (:func:`check_json`), gives an ``ok: False`` reply naming its
    type and message.
    """

    @functools.wraps(func)
    def wrapper(self, msg: Any = None, buffers: list | None = None):
        try:
            result = func(self, msg if isinstance(msg, dict) else {}, list(buffers or []))
            reply, out = result if isinstance(result, tuple) else (result, [])
            reply = {"ok": True, **(reply or {})}
            check_json(reply)
            return reply, list(out)
        except Exception as exc:  # the envelope is the point: nothing reaches the comm
            log.debug("command %s failed", func.__name__, exc_info=True)
            return error_reply(exc), []

    return _anywidget_command(wrapper)


def array_reply(array: Any, **extra: Any) -> tuple[dict, list[memoryview]]:
    """A command result carrying one array: ``({"array": header, **extra}, buffers)``."""
    header, buffers = wire.encode(np.asarray(array))
    return {"array": header, **extra}, buffers


class H5Widget(anywidget.AnyWidget):
    """Base of the h5lens widgets: adds a ``text/html`` fallback to the mimebundle.

    anywidget's own bundle holds only the live view and ``text/plain``, so a
    notebook rendered by nbconvert or GitHub would show nothing; subclasses
    return static HTML from :meth:`_fallback_html` (JupyterLab still prefers
    the live view).
    """

    def _fallback_html(self) -> str:
        return ""

    def _repr_mimebundle_(self, **kwargs):
        bundle_ = super()._repr_mimebundle_(**kwargs)
        if bundle_ is None:
            return None
        data, metadata = bundle_
        try:
            fallback = self._fallback_html()
        except Exception as exc:  # a fallback must never stop the live view from showing
            fallback = f"<pre>{html.escape(f'{type(exc).__name__}: {exc}')}</pre>"
        if fallback:
            data = {**data, "text/html": fallback}
        return data, metadata


def open_source(source: Any):
    """``(node, owned)``: a node passed in is used as is; anything else is opened read-only.

    ``owned`` tells whether closing the widget must close the file.
    """
    from ..nodes._base import Node

    if isinstance(source, Node):
        return source, False
    from .._open import open as open_any

    return open_any(source), True
