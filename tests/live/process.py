"""A writer process the tests read line by line: ``wait_for("frame 3")`` blocks on its output, not on time."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


class Writer:
    """``python -m live.writers KIND ARGS`` in its own process, stdout read line by line."""

    def __init__(self, *args: object, timeout: float = 60.0):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
        self.proc = subprocess.Popen([sys.executable, "-m", "live.writers", *map(str, args)], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.timeout = timeout
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.strip())
        self._queue.put("")  # the writer ended

    def wait_for(self, line: str) -> list[str]:
        """Read the writer's output up to ``line`` (the step it names is on disk); fail if it ends first."""
        while line not in self.lines:
            try:
                got = self._queue.get(timeout=self.timeout)
            except queue.Empty:
                got = ""
            if not got:
                err = self.proc.stderr.read() if self.proc.poll() is not None and self.proc.stderr else ""
                raise AssertionError(f"writer ended or stalled before {line!r}: {self.lines[-3:]} {err}")
            self.lines.append(got)
        return self.lines

    def go(self) -> None:
        """Let a step-by-step writer (negative interval) take its next step."""
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def finish(self) -> None:
        """Let a writer holding its file go (it waits on stdin), then reap it."""
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()  # a writer waiting on a line ends (EOFError)
            except (BrokenPipeError, OSError):
                pass
            try:
                self.proc.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._reader.join(5)  # the writer ended: its output reaches its end
        for stream in (self.proc.stderr, self.proc.stdout, self.proc.stdin):
            if stream is not None and not (stream is self.proc.stdout and self._reader.is_alive()):
                try:
                    stream.close()
                except OSError:  # stdin of a writer already gone
                    pass
