"""Plain-text helpers for content shown outside a Markdown renderer."""

from __future__ import annotations

import re

_BLOCK_START = re.compile(r"^\s*([-*+]\s|\d+[.)]\s|>|```|\||#)")


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of each paragraph, so the terminal can wrap them to its width.

    Blank lines, list items, quotes, tables, headings and fenced or indented code keep their breaks.
    """
    out: list[str] = []
    in_fence = False
    for line in text.strip("\n").splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
            out.append(line)
            continue
        keep = in_fence or not stripped or _BLOCK_START.match(line) or line.startswith(("    ", "\t"))
        if keep or not out or not out[-1].strip() or out[-1].lstrip().startswith("```") or in_fence:
            out.append(line)
        else:
            out[-1] = f"{out[-1].rstrip()} {stripped}"
    return "\n".join(out)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"
