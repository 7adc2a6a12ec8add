"""The opt-in server extension (h5lens/server.py) sets TCP_NODELAY on kernel websockets.

A real jupyter_server is started on 127.0.0.1 with and without the extension, a
kernel is started through its REST API and a websocket opened to it; the test
then takes a copy of the server's end of that socket (``pidfd_getfd``, Linux
≥ 5.6; the server is this process's child) and reads the option.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

tornado_websocket = pytest.importorskip("tornado.websocket")
pytest.importorskip("jupyter_server")
pytest.importorskip("ipykernel")

SYS_PIDFD_GETFD = 438  # the same number on every Linux architecture (generic syscall table)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    def __init__(self, tmp: Path, extension: bool):
        self.port, self.token = _free_port(), secrets.token_hex(8)
        config = tmp / "config"
        config.mkdir()
        if extension:
            (config / "jupyter_server_config.json").write_text(
                json.dumps({"ServerApp": {"jpserver_extensions": {"h5lens.server": True}}}))
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
                   JUPYTER_DATA_DIR=str(tmp / "data"), IPYTHONDIR=str(tmp / "ipython"))
        self.log = tmp / "server.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={tmp}"],
            env=env, stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        end = time.monotonic() + 60
        while True:
            try:
                self.request("/api/status")
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > end:
                    raise RuntimeError(f"jupyter_server did not start: {self.log.read_text()[-2000:]}") from None
                time.sleep(0.1)

    def request(self, path: str, method: str = "GET") -> dict:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"},
                                     data=b"{}" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
            return json.loads(body) if body else {}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _server_nodelay(pid: int, peer: tuple[str, int]) -> int | None:
    """TCP_NODELAY of the socket in process ``pid`` whose peer is ``peer`` (None: no such socket yet)."""
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        for name in os.listdir(f"/proc/{pid}/fd"):
            fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(name), 0)
            if fd < 0:
                err = ctypes.get_errno()
                if err in (1, 38):  # EPERM, ENOSYS: this machine cannot look, which the test must say
                    pytest.fail(f"pidfd_getfd unavailable here (errno {err})")
                continue
            try:
                with socket.socket(fileno=os.dup(fd)) as s:
                    if s.family != socket.AF_INET or s.type != socket.SOCK_STREAM:
                        continue
                    try:
                        if s.getpeername() == peer:
                            return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                    except OSError:
                        continue
            except OSError:
                continue
            finally:
                os.close(fd)
    finally:
        os.close(pidfd)
    return None


async def _kernel_socket_nodelay(server: _Server) -> int:
    kernel = server.request("/api/kernels", "POST")
    try:
        url = (f"ws://127.0.0.1:{server.port}/api/kernels/{kernel['id']}/channels"
               f"?session_id={secrets.token_hex(4)}&token={server.token}")
        ws = await tornado_websocket.websocket_connect(url)
        try:
            # a kernel_info reply through the socket means the server has joined it to the kernel
            msg_id = secrets.token_hex(8)
            ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "kernel_info_request", "username": "", "session": "s",
                           "date": "", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell", "buffers": []}))
            end = time.monotonic() + 60
            while time.monotonic() < end:
                raw = await asyncio.wait_for(ws.read_message(), timeout=60)
                assert raw is not None, "the server closed the kernel websocket"
                if isinstance(raw, str):
                    reply = json.loads(raw)
                    if reply.get("parent_header", {}).get("msg_id") == msg_id \
                            and reply["header"]["msg_type"] == "kernel_info_reply":
                        break
            value = _server_nodelay(server.proc.pid, ws.protocol.stream.socket.getsockname())
            assert value is not None, "the server's end of the kernel websocket was not found"
            return value
        finally:
            ws.close()
    finally:
        server.request(f"/api/kernels/{kernel['id']}", "DELETE")


@pytest.mark.parametrize("extension", [True, False], ids=["with-extension", "stock"])
def test_kernel_websocket_nodelay(tmp_path, extension):
    server = _Server(tmp_path, extension)
    try:
        # in a thread of its own: the browser tests' Playwright session keeps an event loop set in this one
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            value = pool.submit(asyncio.run, _kernel_socket_nodelay(server)).result(timeout=120)
    finally:
        server.stop()
    assert bool(value) is extension
    log = server.log.read_text()
    assert ("h5lens.server: TCP_NODELAY" in log) is extension


def test_extension_is_light():
    """The server imports the extension: it must not pull in h5py, numpy or the widgets."""
    code = ("import sys, h5lens.server as s; s.nodelay_connection_class(object); "
            "print([m for m in ('h5py', 'numpy', 'anywidget') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
