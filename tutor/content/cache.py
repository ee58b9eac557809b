"""A cache of per-file load results, keyed by each file's size and modification time.

Parsing ~750 KB of YAML costs ~270 ms even with libyaml; an unchanged file is taken from here
instead. Anything that changes (a file, a lab folder, the content code itself) is parsed again.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import __version__

CODE_DIR = Path(__file__).resolve().parent


def _stamp(path: Path) -> tuple:
    """What identifies a file's content cheaply; for a folder, every file in it."""
    try:
        if path.is_dir():
            return tuple(
                sorted(
                    (str(p.relative_to(path)), *_stamp(p))
                    for p in path.rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts
                )
            )
        st = path.stat()
        return (st.st_size, st.st_mtime_ns)
    except OSError:
        return ()


def _code_version() -> tuple:
    # results depend on the schemas and parsers as much as on the files
    return (__version__, *(_stamp(p) for p in sorted(CODE_DIR.glob("*.py"))))


class ContentCache:
    def __init__(self, path: Path | None, entries: dict[str, tuple[tuple, Any]]) -> None:
        self.path = path
        self.entries = entries
        self.dirty = False
        self.seen: set[str] = set()

    @classmethod
    def open(cls) -> ContentCache:
        from ..paths import home

        try:
            path = home() / "cache" / "content.pickle"
        except OSError:
            return cls(None, {})
        try:
            with open(path, "rb") as f:
                version, entries = pickle.load(f)
            if version == _code_version():
                return cls(path, entries)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            pass  # a missing or unreadable cache is only a slower start
        return cls(path, {})

    def get(self, path: Path) -> Any:
        key = str(path)
        self.seen.add(key)
        entry = self.entries.get(key)
        if entry is not None and entry[0] == _stamp(path):
            return entry[1]
        return None

    def memo(self, name: str, key: Any, compute: Callable[[Any], Any]) -> Any:
        """``compute(key)``, or its stored result when ``key`` equals the one it was computed for."""
        slot = f"memo:{name}"
        self.seen.add(slot)
        entry = self.entries.get(slot)
        if entry is not None and entry[0] == key:
            return entry[1]
        value = compute(key)
        self.entries[slot] = (key, value)
        self.dirty = True
        return value

    def put(self, path: Path, result: Any) -> None:
        key = str(path)
        self.seen.add(key)
        self.entries[key] = (_stamp(path), result)
        self.dirty = True

    def save(self) -> None:
        if self.path is None:
            return
        stale = set(self.entries) - self.seen
        if stale:
            for key in stale:
                del self.entries[key]
            self.dirty = True
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".content-")
            with os.fdopen(fd, "wb") as f:
                pickle.dump((_code_version(), self.entries), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)  # atomic: a concurrent reader sees the old or the new cache
        except OSError:
            pass
