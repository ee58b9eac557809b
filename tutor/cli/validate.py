"""`tutor validate`: check all content and print every problem as file:line: message.

Authors run this on every save and in pre-commit hooks, so it has its own small argparse entry:
going through Typer would import Typer and pydantic (about 120 ms) before checking anything.
With the content cache warm it needs neither pydantic nor YAML, only files that changed are parsed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


class _ClickLikeHelp(argparse.RawDescriptionHelpFormatter):
    """The layout of every other `tutor` command's help (Click's), so this one fast command does not stand out."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, prefix="Usage: ")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[no-untyped-def]
        # Click's shape: usage, where to get help, then the error
        self.exit(2, f"{self.format_usage()}Try 'tutor validate -h' for help.\n\nError: {message}\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="tutor validate",
        usage="%(prog)s [OPTIONS] [PATH]...",
        description="  Check every lesson, question, lab, drill and exam profile; exit 1 on any\n  problem.",
        formatter_class=_ClickLikeHelp,
        add_help=False,
    )
    p._positionals.title = "Arguments"
    p._optionals.title = "Options"
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="Content roots, folders or files to check (default: all); problems elsewhere are not shown.",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="Print only problems.")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="Parse and check every file, ignoring results kept from earlier runs for unchanged files.",
    )
    p.add_argument("-h", "--help", action="help", help="Show this message and exit.")
    return p


def main(argv: list[str]) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    # The content schemas use no pydantic plugins; looking them up scans every installed package's
    # entry points (~20 ms) the first time a schema is built, e.g. after an edit.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from tutor.content.cache import ContentCache
    from tutor.content.corpus import Index, collect, content_roots, root_of

    extra = []
    for p in args.paths:
        if not p.exists():
            cli.error(f"{p} does not exist")
        root = root_of(p)
        if root is None:
            cli.error(f"{p} is not inside a content folder (one holding lessons/, labs/ or question_bank/)")
        extra.append(root)
    cache = None if args.no_cache else ContentCache.open()
    index = Index(collect(content_roots(extra), cache), memo=cache)
    if cache:
        cache.save()
    selected = [p.resolve() for p in args.paths]
    problems = [
        pr
        for pr in index.problems
        if not selected or any(pr.path.resolve() == s or s in pr.path.resolve().parents for s in selected)
    ]
    for pr in problems:
        print(_relative(pr), file=sys.stderr)
    if not args.quiet:
        from tutor.content.exam_fit import report

        for line in report(index):
            print(line)
        counts = ", ".join(f"{n} {k}" for k, n in index.counts().items())
        verdict = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}" if problems else "all valid"
        print(f"{counts}: {verdict}")
    return 1 if problems else 0


def _relative(problem) -> str:
    try:
        path = problem.path.resolve().relative_to(Path.cwd())
    except ValueError:
        path = problem.path
    return f"{path}:{problem.line}: {problem.message}"
