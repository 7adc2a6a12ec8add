"""The ``h5lens`` command: ``ls`` (text tree), ``html`` (standalone glance page), ``convert``.

Errors are one line on stderr (``h5lens: error: ...``), never a traceback:
exit code 2 when the source cannot be opened (missing, unknown format,
unreadable) or the command line is wrong, 1 for any other failure. Set
``H5LENS_DEBUG=1`` to get the traceback instead.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import warnings

EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


class _InputError(Exception):
    """The source cannot be opened (exit code 2)."""


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(prog="h5lens", description="Look into HDF5/NeXus, detector image and SPEC files.")
    p.add_argument("--version", action="version", version=f"h5lens {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="{ls,html,convert,view}")
    where = "a file, or file::/path for a node inside it"
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true",
                        help="also print the warnings of the readers (fabio, h5py...) on stderr")

    ls = sub.add_parser("ls", help="print the tree as text, like h5ls", description="Print the tree as text.",
                        parents=[common])
    ls.add_argument("source", metavar="SOURCE[::/path]", help=where)
    ls.add_argument("-r", "--recursive", action="store_true", help="list every level (default: one level)")
    ls.add_argument("--depth", type=_count, metavar="N", help="levels to list (implies -r)")
    ls.add_argument("--attrs", action="store_true",
                    help="show attributes, and storage and file facts (fill value, size on disk, driver...)")
    ls.add_argument("--max", "--limit", dest="max", type=_count, default=0, metavar="N",
                    help="at most N entries (nodes plus attributes), upper levels first; 0: every member, "
                         "as h5ls -r lists them (default)")
    ls.add_argument("--all", action="store_true", help=argparse.SUPPRESS)  # every member is the default now
    shown = ls.add_mutually_exclusive_group()
    shown.add_argument("--values", dest="values", action="store_const", const="short", default="scalar",
                       help="show the values of short 1-D datasets too (default: scalars only)")
    shown.add_argument("--no-values", dest="values", action="store_const", const=None,
                       help="show no values (reads no data at all)")
    ls.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                    help="ANSI colour (auto: on a terminal unless NO_COLOR is set)")
    ls.set_defaults(func=_ls)

    page = sub.add_parser("html", help="write a standalone HTML page of the tree", parents=[common],
                          description="Write the static glance of SOURCE as a standalone HTML page.")
    page.add_argument("source", metavar="SOURCE[::/path]", help=where)
    page.add_argument("-o", "--output", default="-", metavar="FILE", help="page to write (default: stdout)")
    page.add_argument("--depth", type=_count, metavar="N", help="levels to include (default: all within budget)")
    page.add_argument("--no-attrs", dest="attrs", action="store_false", help="leave attributes out")
    page.add_argument("--limit", type=_count, default=1000, metavar="N",
                      help="at most N entries; 0: no limit (default: %(default)s)")
    page.set_defaults(func=_html)

    sub.add_parser("convert", help="convert files (see h5lens convert --help)", add_help=False)

    view = sub.add_parser("view", help="explore files on a local web page (like silx view, without Qt)",
                          parents=[common],
                          description="Serve the explorer on FILEs with Voila (pip install 'h5lens[view]'): "
                          "prints a token-protected URL, stops on Ctrl-C.")
    view.add_argument("sources", nargs="+", metavar="FILE[::/path]", help="files to explore")
    view.add_argument("--ip", default="127.0.0.1", help="address to bind (default: %(default)s; "
                      "reach it from elsewhere with ssh -L)")
    view.add_argument("--port", type=_count, default=0, help="TCP port (default: a free one)")
    view.add_argument("--no-browser", dest="browser", action="store_const", const=False, default=None,
                      help="do not open a web browser (default: open one when there is a display)")
    view.set_defaults(func=_view)
    return p


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def use_color(mode: str, stream, environ=os.environ) -> bool:
    """Colour on ``always``; on ``auto`` only for a terminal and when NO_COLOR is unset or empty."""
    if mode != "auto":
        return mode == "always"
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not environ.get("NO_COLOR")


def _open_glance(source: str, **options):
    from ._glance import glance

    try:
        return glance(source, **options)
    except Exception as exc:  # every way of failing to open is the user's input, not a crash
        raise _InputError(_describe(exc)) from exc


def _ls(args) -> int:
    depth = args.depth if args.depth is not None else (None if args.recursive else 1)
    # every member, like h5ls -r; --max N caps the terminal (budgets belong to the notebook glance)
    budget = dict(max_items=args.max or None, head=10**12, tail=0)
    with _open_glance(args.source, depth=depth, attrs=args.attrs, values=args.values, facts=args.attrs,
                      **budget) as g:
        text = g.to_text(color=use_color(args.color, sys.stdout))
    _write_stdout(text + "\n")
    return 0


def _html(args) -> int:
    with _open_glance(args.source, depth=args.depth, attrs=args.attrs, max_items=args.limit or None) as g:
        page = g.to_html(standalone=True)
    if args.output == "-":
        _write_stdout(page)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(page)
    return 0


def _view(args) -> int:
    from .viewapp import SourceError, serve

    try:
        return serve(args.sources, ip=args.ip, port=args.port, browser=args.browser)
    except SourceError as exc:  # a file that cannot be opened is the user's input
        raise _InputError(str(exc)) from exc


def _write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:  # a terminal that cannot show some names: escape, don't fail
        encoding = getattr(sys.stdout, "encoding", None) or "ascii"
        sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))
    sys.stdout.flush()


def _convert(argv: list[str]) -> int:
    # imported only for this command: listing never loads the writers
    try:
        from .write.convert import cli_main
    except ImportError as exc:
        raise RuntimeError(f"the convert command is not available ({exc})") from exc
    return int(cli_main(argv) or 0)


def _describe(exc: BaseException) -> str:
    """One line naming what failed, without Python's decorations."""
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        return f"{exc.strerror}: {exc.filename}"
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    text = " ".join(text.split()) or type(exc).__name__
    return text


@contextlib.contextmanager
def _library_logs(verbose: bool):
    """Log records of the readers (fabio's "Malformed file...") reach stderr only with ``--verbose``.

    Python prints records of unconfigured loggers on stderr; a handler on the
    root logger for the command's duration either swallows them or formats them.
    """
    root = logging.getLogger()
    handler: logging.Handler = logging.NullHandler()
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("h5lens: %(name)s: %(message)s"))
    root.addHandler(handler)
    try:
        with warnings.catch_warnings():
            if not verbose:
                warnings.simplefilter("ignore")
            yield
    finally:
        root.removeHandler(handler)


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "convert":
            with _library_logs(verbose=False):
                return _convert(argv[1:])
        args = _parser().parse_args(argv)
        with _library_logs(args.verbose):
            return args.func(args)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2, message already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_FAILURE
    except BrokenPipeError:  # `h5lens ls big.h5 | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("H5LENS_DEBUG"):
            raise
        code = EXIT_BAD_INPUT if isinstance(exc, _InputError) else EXIT_FAILURE
        print(f"h5lens: error: {_describe(exc)}", file=sys.stderr)
        return code


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    sys.exit(main())
