"""Pure functions: a glance :class:`~._plan.Plan` → a text tree, in the spirit of ``h5ls -r``.

One line per node (groups end with ``/``), drawn with box characters, with the
shared labels; attributes as ``@name = value  (dtype)`` lines under their node.
ANSI colour is opt-in (the CLI turns it on for terminals only). Control
characters in names and values are shown escaped so that a file cannot drive
the terminal.
"""

from __future__ import annotations

import re

from ._plan import Entry, Plan

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# ANSI styles by role; see https://no-color.org for when they are off
_STYLES = {
    "group": "1;34", "dataset": "1", "link": "36", "broken": "31", "label": "2",
    "badge": "35", "attr": "33", "note": "2;3",
}


def clean(text: object) -> str:
    """One printable line: control characters (ESC, newlines...) escaped."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))


class _Painter:
    def __init__(self, color: bool):
        self.color = color

    def __call__(self, role: str, text: str) -> str:
        if not self.color or not text:
            return text
        return f"\x1b[{_STYLES[role]}m{text}\x1b[0m"


def render(plan: Plan, color: bool = False) -> str:
    """The whole text tree, newline-terminated lines joined into one string."""
    paint = _Painter(color)
    lines: list[str] = []
    # an explicit stack, not recursion: a file nested thousands of levels deep must render
    stack: list = [(plan.root, "", "")]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            lines.append(item)
        else:
            entry, first, rest = item
            stack.extend(reversed(_node(entry, first, rest, paint)))
    if plan.truncated:
        cut = f"{plan.members_cut}{'+' if plan.members_cut_at_least else ''}"
        lines.append(paint("note", f"(display budget of {plan.max_items} entries reached: {plan.groups_cut} more "
                                   f"group{'s' if plan.groups_cut != 1 else ''} ({cut} members) not expanded)"))
    return "\n".join(lines)


def line(e: Entry, paint=None) -> str:
    """The text of one node's row (no tree prefix)."""
    paint = paint or _Painter(False)
    name = clean(e.name) + ("/" if e.kind == "group" and e.path != "/" else "")  # not after a file name
    role = "broken" if e.broken else e.kind
    parts = [paint(role, name)]
    if e.description:
        parts.append(clean(e.description))
    if e.nx_class:
        parts.append(paint("badge", f"[{clean(e.nx_class)}]"))
    if e.label:
        parts.append(paint("broken" if e.broken else "label", clean(e.label)))
    if e.storage:
        parts.append(paint("label", clean(e.storage)))
    if e.broken:
        parts.append(paint("broken", f"({clean(e.broken)})"))
    if e.same_as is not None and e.kind == "dataset":
        parts.append(paint("link", f"(same as {clean(e.same_as)})"))
    elif e.same_as is not None:
        what = "a hard-link cycle" if e.cycle else "another hard link"
        parts.append(paint("link", f"(same as {clean(e.same_as)}: {what}, not expanded again)"))
    if e.value is not None:  # last: the labels stay where h5ls-style readers expect them
        parts.append("= " + clean(e.value))
    return "  ".join(parts)


def _node(e: Entry, first: str, rest: str, paint: _Painter) -> list:
    """``e``'s line (after ``first``), its attributes, and its members as ``(entry, first, rest)`` items.

    Returns lines and member items in display order; members are expanded by the caller.
    """
    out: list = [first + line(e, paint)]
    rows = [paint("note", f"· {clean(k)}: {clean(v)}") for k, v in e.facts]
    rows += [paint("attr", f"@{clean(n)}") + f" = {clean(v)}" + (paint("label", f"  ({clean(t)})") if t else "")
             for n, v, t in e.attrs]
    if e.attrs_hidden:
        rows.append(paint("note", f"@… {e.attrs_hidden} more attributes"))
    items: list[Entry | str] = list(e.children or [])
    if e.children is not None and e.hidden:
        why = " (display budget)" if e.cut == "budget" else ""
        n = f"{e.hidden}+" if e.at_least else str(e.hidden)  # the group was counted up to a limit only
        items.insert(e.head, f"… {n} more member{'s' if e.hidden != 1 or e.at_least else ''}{why}")
    elif e.children is None and e.cut == "budget" and e.count:
        items.append(f"… {e.count}{'+' if e.at_least else ''} members not shown (display budget)")
    elif e.children is None and e.cut not in (None, "depth", "budget"):
        items.append(f"! {clean(e.cut)}")
    bar = "│   " if items else "    "
    out.extend(rest + bar + row for row in rows)
    for i, item in enumerate(items):
        last = i == len(items) - 1
        branch, indent = ("└── ", "    ") if last else ("├── ", "│   ")
        if isinstance(item, str):
            out.append(rest + branch + paint("note", item))
        else:
            out.append((item, rest + branch, rest + indent))
    return out
