"""Run every public entry point of h5lens over one source; one JSON line per entry point on stdout.

Run as ``python runner.py SOURCE`` in a child process (the parent bounds its time
and memory). An entry point passes when it works or fails with a readable
error: an exception of a type that signals a bug (AttributeError, TypeError,
RecursionError...), an empty message, or a CLI traceback is a failure.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time

#: Exception types that mean h5lens itself broke, not that the input is bad.
BUGS = ("AttributeError", "TypeError", "NameError", "UnboundLocalError", "RecursionError", "AssertionError",
        "ZeroDivisionError", "MemoryError", "SystemError", "NotImplementedError")
#: Datasets shown in the viewer and the explorer at most, per source.
MAX_VIEWED = 4
#: Nodes walked at most (a walk that never ends is the failure being looked for).
MAX_WALKED = 100_000


def report(entry: str, started: float, error: BaseException | str | None = None, bug: bool = False) -> None:
    if isinstance(error, BaseException):
        kind = type(error).__name__
        message = str(error) if not isinstance(error, KeyError) or not error.args else str(error.args[0])
        bug = bug or kind in BUGS or not message.strip()
        error = f"{kind}: {message}"
    line = {"entry": entry, "ok": error is None, "bug": bug, "error": error,
            "seconds": round(time.perf_counter() - started, 3)}
    print(json.dumps(line), flush=True)


def reply_problem(reply: dict) -> str | None:
    """A bug shown by a command reply (the envelope turns every exception into ``ok: False``)."""
    if reply.get("ok"):
        return None
    error = reply.get("error") or {}
    if error.get("type") in BUGS or not str(error.get("message", "")).strip():
        return f"{error.get('type')}: {error.get('message')}"
    return None


def datasets(root, limit: int = MAX_VIEWED) -> list:
    """The first datasets of the tree (links followed), and the root itself when it has a default plot."""
    from h5lens.nodes._base import Dataset, Group

    found = [root] if isinstance(root, Group) else []
    if isinstance(root, Dataset):
        return [root]
    for i, node in enumerate(root.walk()):
        if i >= 2000 or len(found) > limit:
            break
        try:
            target = node.deref()
        except Exception:
            continue
        if isinstance(target, Dataset):
            found.append(node)
    return found


def run_view(root) -> None:
    from h5lens import views
    from h5lens.widgets.viewer import Viewer

    for node in datasets(root):
        v = Viewer(node)
        command = getattr(v, views.display_command(v.kind, v.ndisplay))
        reply, _ = command({"selection": v.selection, "canvas": [256, 256], "columns": 512}, [])
        problem = reply_problem(reply)
        if problem:
            raise AssertionError(f"{node.path}: {problem}")
        v.close()


def run_explore(source: str) -> None:
    from h5lens.widgets.explorer import Explorer

    ex = Explorer(source)
    try:
        for node in datasets(ex.root)[:4]:
            for name in ("inspect", "preview"):
                problem = reply_problem(getattr(ex, name)({"path": node.path}, [])[0])
                if problem:
                    raise AssertionError(f"{name} {node.path}: {problem}")
            ex.selected = node.path
        problem = reply_problem(ex.children({"path": ex.root.path}, [])[0]) if hasattr(ex.root, "keys") else None
        if problem:
            raise AssertionError(f"children: {problem}")
    finally:
        ex.close()


def run_cli(argv: list[str]) -> None:
    from h5lens.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    lines = err.getvalue().splitlines()
    if code not in (0, 1, 2) or len(lines) > 1 or (lines and not lines[0].startswith("h5lens: error: ")):
        raise AssertionError(f"exit {code}, stderr {err.getvalue()[:500]!r}")
    if code:
        raise OSError(lines[0] if lines else f"exit {code} without a message")


def main(source: str) -> None:
    import h5lens

    started = time.perf_counter()
    root = None
    try:
        root = h5lens.open(source)
        report("open", started)
    except Exception as exc:
        report("open", started, exc)
    started = time.perf_counter()
    try:
        if root is None:
            raise OSError("not opened")
        from h5lens.nodes._base import Group
        from h5lens.nodes._format import node_label

        count = 0
        for node in root.walk() if isinstance(root, Group) else ():
            node_label(node)
            count += 1
            if count > MAX_WALKED:
                raise AssertionError(f"walk did not end after {MAX_WALKED} nodes")
        report("walk", started)
    except Exception as exc:
        report("walk", started, exc)
    for entry, run in (("glance_html", lambda: h5lens.glance(source).to_html()),
                       ("glance_text", lambda: repr(h5lens.glance(source))),
                       ("view", lambda: run_view(root) if root is not None else h5lens.view(source)),
                       ("explore", lambda: run_explore(source)),
                       ("cli_ls", lambda: run_cli(["ls", "-r", source])),
                       ("cli_html", lambda: run_cli(["html", source, "-o", "/dev/null"]))):
        started = time.perf_counter()
        try:
            run()
            report(entry, started)
        except Exception as exc:
            report(entry, started, exc)


def serve(address_space: int) -> None:
    """Import everything once, then run each case read from stdin in a forked child.

    Each input line is ``{"source", "cwd", "out", "timeout"}``; each output line
    gives that child's exit status, wall time, own peak RSS (``wait4``) and
    whether it was killed at the timeout. Forking from a warm process spares
    every case the seconds of importing h5py, fabio and the widgets.
    """
    import os
    import resource
    import signal

    import h5lens  # noqa: F401
    import h5lens.cli  # noqa: F401
    import h5lens.nodes.image  # noqa: F401
    import h5lens.nodes.spec  # noqa: F401
    import h5lens.widgets.explorer  # noqa: F401

    for line in sys.stdin:
        job = json.loads(line)
        sys.stdout.flush()
        started = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # the case runs here, in its own session and address-space limit
            code = 1
            try:
                os.setsid()
                os.chdir(job["cwd"])
                resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
                devnull = os.open(os.devnull, os.O_RDWR)
                os.dup2(devnull, 0)
                os.dup2(devnull, 2)
                sys.stdout = open(job["out"], "w", buffering=1)
                os.dup2(sys.stdout.fileno(), 1)  # nothing a library prints reaches the server's pipe
                sys.setrecursionlimit(1000)  # the default: deep files must not need more
                main(job["source"])
                sys.stdout.flush()
                code = 0
            finally:
                os._exit(code)
        deadline, killed = started + job["timeout"], False
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if not killed and time.perf_counter() > deadline:
                os.killpg(pid, signal.SIGKILL)
                killed = True
            time.sleep(0.005)
        print(json.dumps({"seconds": time.perf_counter() - started, "rss_mb": usage.ru_maxrss / 1024,
                          "killed": killed or os.WIFSIGNALED(status),
                          "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)}),
              flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
    else:
        sys.setrecursionlimit(1000)
        main(sys.argv[1])
