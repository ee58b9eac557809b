"""Parse lesson Markdown: front matter, sections with anchors, admonition blocks, links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .yamlio import load_yaml

HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*(?:\{#(?P<anchor>[a-z0-9][a-z0-9-]*)\})?\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
ADMONITION_OPEN = re.compile(r"^:::\s*(?P<kind>[a-z]+)\s*(?P<title>.*)$")
ADMONITION_KINDS = {"takeaways", "mistakes", "note", "tip", "warning"}
LESSON_LINK = re.compile(r"\]\(lesson:(?P<ref>[^)\s]+)\)")
FILE_NAME = re.compile(r"^(?P<order>\d{2})-(?P<id>[a-z0-9][a-z0-9-]*)\.md$")


@dataclass
class ParsedLesson:
    front: dict
    front_line: int
    intro: str
    sections: list[dict]  # anchor, title, line, body
    blocks: dict[str, int] = field(default_factory=dict)  # admonition kind -> count
    links: list[tuple[str, int]] = field(default_factory=list)  # (lesson ref, line)
    sandbox_blocks: list[tuple[int, str]] = field(default_factory=list)  # (line, commands)
    problems: list[tuple[int, str]] = field(default_factory=list)


def split_front_matter(text: str, path: Path) -> tuple[dict, int, list[str]]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, 1, lines
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            front = load_yaml("\n".join(lines[1:end]), path, line_offset=1) or {}
            return front, 2, lines[end + 1 :]
    return {}, 1, lines


def parse_lesson(text: str, path: Path) -> ParsedLesson:
    front, front_line, body_lines = split_front_matter(text, path)
    offset = len(text.splitlines()) - len(body_lines)  # lines consumed by the front matter
    parsed = ParsedLesson(front=front, front_line=front_line, intro="", sections=[])
    if not front:
        parsed.problems.append((1, "missing front matter: the file must start with a '---' YAML block"))

    current: dict | None = None
    buffer: list[str] = []
    in_fence = False
    fence_start = 0
    fence_info = ""
    fence_lines: list[str] = []
    open_block: tuple[str, int] | None = None

    def flush() -> None:
        body = "\n".join(buffer).strip("\n")
        if current is None:
            parsed.intro = body
        else:
            current["body"] = body

    for i, raw in enumerate(body_lines):
        lineno = offset + i + 1
        if FENCE.match(raw):
            if not in_fence:
                in_fence, fence_start, fence_info, fence_lines = True, lineno, raw.strip()[3:].strip(), []
            else:
                in_fence = False
                if fence_info.split()[:2] == ["sh", "sandbox"]:
                    parsed.sandbox_blocks.append((fence_start, "\n".join(fence_lines)))
            buffer.append(raw)
            continue
        if in_fence:
            fence_lines.append(raw)
            buffer.append(raw)
            continue
        heading = HEADING.match(raw)
        if heading:
            flush()
            if open_block:
                parsed.problems.append((open_block[1], f"'::: {open_block[0]}' block is never closed with ':::'"))
                open_block = None
            anchor = heading["anchor"]
            if not anchor:
                parsed.problems.append((lineno, f"section {heading['title']!r} has no anchor: add {{#some-anchor}}"))
            current = {"anchor": anchor or "", "title": heading["title"], "line": lineno, "body": ""}
            parsed.sections.append(current)
            buffer = []
            continue
        stripped = raw.strip()
        if stripped.startswith(":::"):
            if stripped == ":::":
                if open_block is None:
                    parsed.problems.append((lineno, "':::' closes no open block"))
                open_block = None
            else:
                m = ADMONITION_OPEN.match(stripped)
                kind = m["kind"] if m else stripped
                if not m or kind not in ADMONITION_KINDS:
                    parsed.problems.append(
                        (lineno, f"unknown block {stripped!r}: use one of {sorted(ADMONITION_KINDS)}")
                    )
                else:
                    if open_block:
                        parsed.problems.append((open_block[1], f"'::: {open_block[0]}' block is never closed"))
                    open_block = (kind, lineno)
                    parsed.blocks[kind] = parsed.blocks.get(kind, 0) + 1
        for m in LESSON_LINK.finditer(raw):
            parsed.links.append((m["ref"], lineno))
        buffer.append(raw)
    flush()
    if in_fence:
        parsed.problems.append((fence_start, "code fence is never closed"))
    if open_block:
        parsed.problems.append((open_block[1], f"'::: {open_block[0]}' block is never closed with ':::'"))
    seen: dict[str, int] = {}
    for s in parsed.sections:
        if s["anchor"] and s["anchor"] in seen:
            parsed.problems.append((s["line"], f"anchor #{s['anchor']} is already used on line {seen[s['anchor']]}"))
        seen.setdefault(s["anchor"], s["line"])
    return parsed


def render_admonitions(markdown: str) -> str:
    """Turn ``::: kind`` blocks into titled block quotes that any Markdown renderer shows well."""
    titles = {
        "takeaways": "Key takeaways",
        "mistakes": "Common mistakes",
        "note": "Note",
        "tip": "Tip",
        "warning": "Warning",
    }
    out: list[str] = []
    quoting = False
    in_fence = False
    for raw in markdown.splitlines():
        if FENCE.match(raw):
            in_fence = not in_fence
        if not in_fence:
            stripped = raw.strip()
            m = ADMONITION_OPEN.match(stripped) if stripped.startswith(":::") else None
            if m and m["kind"] in titles:
                title = m["title"].strip() or titles[m["kind"]]
                out.append(f"> **{title}**")
                out.append(">")
                quoting = True
                continue
            if stripped == ":::" and quoting:
                quoting = False
                out.append("")
                continue
        out.append(f"> {raw}" if quoting else raw)
    return "\n".join(out)
