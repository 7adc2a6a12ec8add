"""Opt-in Jupyter server extension: send kernel messages to the browser without Nagle's delay.

jupyter_server never sets ``TCP_NODELAY`` on the kernel websocket. A widget's
reply is several small websocket frames in a row (status busy, the comm
message with its buffers, status idle); with Nagle's algorithm each small
frame after the first waits until the browser acknowledges the one before,
and browsers delay that acknowledgement by up to ~40 ms. So every
request/reply between the page and the kernel (a slider step, an ROI drag,
a followed frame) pays ~40 ms that has nothing to do with the work done.

This extension turns ``TCP_NODELAY`` on for each kernel websocket when it
opens. It changes nothing else: the messages and their order are the same,
only small frames leave at once instead of waiting. Enable it with::

    jupyter server extension enable h5lens.server

or for one session::

    jupyter lab --ServerApp.jpserver_extensions="{'h5lens.server': True}"

It is opt-in because it changes a server-wide socket option for every kernel
of the server, not only those using h5lens. ``bench/viewer_lab.py --nodelay``
and ``bench/live_latency.py --nodelay`` measure the gain.

This module is imported by the server process: it must not import h5py,
numpy or the widgets.
"""

from __future__ import annotations

from typing import Any

#: the web-app setting jupyter_server reads for the class that joins a kernel websocket to the kernel
SETTING = "kernel_websocket_connection_class"


def nodelay_connection_class(base: type) -> type:
    """A subclass of the server's kernel websocket connection class that sets ``TCP_NODELAY`` first.

    Parameters
    ----------
    base
        The connection class the server is configured with (``ZMQChannelsWebsocketConnection`` by
        default, the gateway's class behind a kernel gateway). Subclassing it keeps every behaviour of
        the configured class; only the socket option is added.

    Returns
    -------
    type
        The subclass; ``base`` itself if it already is one of ours (the extension loaded twice).
    """
    if getattr(base, "_h5lens_nodelay", False):
        return base

    parent: Any = base  # typed loosely: the configured class is only known at run time

    async def connect(self: Any) -> Any:
        handler = getattr(self, "websocket_handler", None)
        if handler is not None:
            # set before the first message leaves; a handler without a stream (closed already) is left alone
            try:
                handler.set_nodelay(True)
            except (AttributeError, OSError):
                pass
        result = parent.connect(self)
        if result is not None and hasattr(result, "__await__"):
            return await result
        return result

    return type(f"NoDelay{base.__name__}", (base,), {"connect": connect, "_h5lens_nodelay": True,
                                                    "__module__": __name__,
                                                    "__doc__": f"{base.__name__} with TCP_NODELAY set."})


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Where jupyter_server finds this extension's loader."""
    return [{"module": "h5lens.server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Swap the web app's kernel websocket connection class for its TCP_NODELAY subclass."""
    settings = serverapp.web_app.settings
    base = settings.get(SETTING) or serverapp.kernel_websocket_connection_class
    settings[SETTING] = nodelay_connection_class(base)
    serverapp.log.info("h5lens.server: TCP_NODELAY on kernel websockets (%s)", base.__name__)
