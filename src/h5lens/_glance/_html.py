"""Pure functions: a glance :class:`~._plan.Plan` → a static, escaped HTML tree.

The tree needs no kernel and no JavaScript: groups fold with ``<details>``,
the first level is open, attributes are folded per node. One tiny inline
script adds copy-path buttons; where scripts do not run (nbconvert, GitHub,
untrusted notebooks) the buttons stay hidden and the path is still in each
name's tooltip. Every string from a file goes through :func:`esc`.
"""

from __future__ import annotations

import functools
import html
import uuid
from importlib import resources

from . import _plan
from ._plan import NOT_READ, Entry, Plan

# Delegated click handler: one listener per glance, not one per button; the path is read
# from the name's tooltip (not repeated per row). It marks the root with .h5l-js so that
# the CSS reveals the buttons only where they can work.
_COPY_SCRIPT = (
    '<script>(function(){var r=document.getElementById("%s");'
    'if(!r||!navigator.clipboard)return;r.classList.add("h5l-js");'
    'r.addEventListener("click",function(e){var b=e.target.closest(".h5l-copy");if(!b)return;'
    'e.preventDefault();e.stopPropagation();'
    'navigator.clipboard.writeText(b.parentNode.querySelector(".h5l-name").title).then('
    'function(){b.classList.add("h5l-done");setTimeout(function(){b.classList.remove("h5l-done")},900)})})})();'
    "</script>"
)


def esc(text: object) -> str:
    """HTML-escape any value, quotes included (safe in text and attribute values)."""
    return html.escape(str(text), quote=True)


@functools.lru_cache(maxsize=1)
def stylesheet() -> str:
    """The glance CSS, with comments and indentation squeezed out."""
    css = resources.files(__package__).joinpath("glance.css").read_text("utf-8")
    out, rest = [], css
    while "/*" in rest:  # drop comments
        before, _, rest = rest.partition("/*")
        out.append(before)
        rest = rest.partition("*/")[2]
    out.append(rest)
    return " ".join(line.strip() for line in "".join(out).splitlines() if line.strip())


def render(plan: Plan, standalone: bool = False, script: bool = True) -> str:
    """The whole glance: style, tree, budget note and the copy helper.

    Parameters
    ----------
    plan : Plan
        What to show (see :func:`h5lens._glance._plan.plan`).
    standalone : bool
        Wrap in a complete ``<!DOCTYPE html>`` page (for ``h5lens html``).
    script : bool
        Include the copy-path helper script.
    """
    uid = f"h5l-{uuid.uuid4().hex[:16]}"  # unique across kernels and saved notebooks
    out = [f'<div class="h5l" id="{uid}"><style>{stylesheet()}</style>']
    if plan.filename:  # a snapshot: when it was taken says how old it is if the file is being written
        taken = f' <span class="h5l-taken">· snapshot of {esc(plan.taken)}</span>' if plan.taken else ""
        out.append(f'<div class="h5l-note" title="{esc(plan.filename)}">{esc(plan.filename)}{taken}</div>')
    out.append("<ul>")
    # an explicit stack, not recursion: a file nested thousands of levels deep must render
    stack: list = [(plan.root, True)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        else:
            parts: list = []
            entry, is_root = item
            _entry(entry, is_root, parts)
            stack.extend(reversed(parts))
    out.append("</ul>")
    if plan.truncated:
        out.append(
            f'<div class="h5l-foot">Display budget of {plan.max_items} entries reached: '
            f"{plan.groups_cut} more group{'s' if plan.groups_cut != 1 else ''} "
            f"({plan.members_cut}{'+' if plan.members_cut_at_least else ''} members) not expanded "
            "(raise max_items, or --limit of h5lens html, to see more).</div>"
        )
    out.append("</div>")
    if script:
        out.append(_COPY_SCRIPT % uid)
    body = "".join(out)
    if not standalone:
        return body
    title = esc(f"{plan.root.name} · h5lens")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'  # dark page background under a dark system theme
        f"<title>{title}</title></head><body>{body}</body></html>\n"
    )


def _entry(e: Entry, is_root: bool, out: list) -> None:
    """Append ``e``'s markup to ``out``: strings, and ``(member, False)`` items for members."""
    if e.kind == "group":
        out.append(f'<li class="h5l-group"><details{" open" if is_root else ""}><summary>')
        _head(e, out)
        out.append("</summary>")
        _attrs(e, out)
        _members(e, out)
        out.append("</details></li>")
    elif e.kind == "link":
        cls = "h5l-link h5l-broken" if e.broken else "h5l-link"
        out.append(f'<li class="{cls}"><div class="h5l-row">')
        _head(e, out)
        out.append("</div></li>")
    elif e.attrs:  # a dataset whose attributes fold under its row (open when it is the root)
        out.append(f'<li class="h5l-dataset"><details{" open" if is_root else ""}><summary>')
        _head(e, out)
        out.append("</summary>")
        _attrs(e, out, folded=False)
        out.append("</details></li>")
    else:
        out.append('<li class="h5l-dataset"><div class="h5l-row">')
        _head(e, out)
        out.append("</div></li>")


def _head(e: Entry, out: list[str]) -> None:
    """Name, NX_class badge, labels and the copy button of one row."""
    path = esc(e.path)
    out.append(f'<span class="h5l-name" title="{path}">{esc(e.name)}</span>')
    if e.description:
        out.append(f'<span class="h5l-desc">{esc(e.description)}</span>')
    if e.nx_class:
        out.append(f'<span class="h5l-badge">{esc(e.nx_class)}</span>')
    if e.kind == "link":
        title = f' title="{esc(e.broken)}"' if e.broken else ""
        out.append(f'<span class="h5l-tgt"{title}>{esc(e.label)}</span>')
        if e.broken:
            out.append(f'<span class="h5l-bad">{esc(e.broken)}</span>')
    else:
        out.append(f'<span class="h5l-lab">{esc(e.label)}</span>')
    if e.same_as is not None and e.kind == "dataset":
        out.append(f'<span class="h5l-tgt">same as {esc(e.same_as)}</span>')
    elif e.same_as is not None:
        what = "a hard-link cycle" if e.cycle else "another hard link"
        out.append(f'<span class="h5l-tgt">same as {esc(e.same_as)}: {what}, not expanded again</span>')
    if e.storage:
        out.append(f'<span class="h5l-sto">{esc(e.storage)}</span>')
    if e.value == NOT_READ:  # said, not hidden: the value exists, the glance's budget of reads is spent
        out.append(f'<span class="h5l-val" title="not read: {_plan.VALUE_READS} values per glance">= {NOT_READ}</span>')
    elif e.value is not None:
        out.append(f'<span class="h5l-val">= {esc(e.value)}</span>')
    out.append('<button class="h5l-copy" type="button" title="Copy path" aria-label="Copy path"></button>')


def _attrs(e: Entry, out: list[str], folded: bool = True) -> None:
    if not e.attrs:
        return
    if folded:
        n = len(e.attrs) + e.attrs_hidden
        out.append(f'<details class="h5l-attrs"><summary>{n} attribute{"s" if n != 1 else ""}</summary>')
    out.append("<table>")
    for name, preview, dtype in e.attrs:
        out.append(f'<tr><th>{esc(name)}</th><td title="{esc(dtype)}">{esc(preview)}</td>'
                   f'<td class="h5l-dt">{esc(dtype)}</td></tr>')
    if e.attrs_hidden:
        out.append(f'<tr><td class="h5l-more" colspan="3">… {e.attrs_hidden} more attributes</td></tr>')
    out.append("</table>")
    if folded:
        out.append("</details>")


def _members(e: Entry, out: list) -> None:
    if e.children is None:
        if e.same_as is not None:
            return
        if e.cut in ("depth", "budget"):
            if e.count:
                limit = "depth limit" if e.cut == "depth" else "display budget"
                out.append(f'<div class="h5l-more">not expanded ({limit})</div>')
        else:
            out.append(f'<div class="h5l-bad">{esc(e.cut or "not expanded")}</div>')
        return
    if not e.children:
        out.append('<div class="h5l-more">empty</div>')
        return
    out.append("<ul>")
    for i, child in enumerate(e.children):
        if i == e.head and e.hidden:
            _gap(e, out)
        out.append((child, False))
    if e.hidden and e.head >= len(e.children):
        _gap(e, out)
    out.append("</ul>")


def _gap(e: Entry, out: list[str]) -> None:
    why = " (display budget)" if e.cut == "budget" else ""
    n = f"{e.hidden}+" if e.at_least else str(e.hidden)  # the group was counted up to a limit only
    out.append(f'<li class="h5l-more">… {n} more member{"s" if e.hidden != 1 or e.at_least else ""}{why}</li>')
