"""Time tutor as installed: with its modules compiled to bytecode.

`pip install .` compiles every module when it installs them. An editable checkout run with
PYTHONDONTWRITEBYTECODE=1 (set on some CI and sandbox machines) never writes .pyc files, so every
start would compile tutor's modules from source (about 25 ms here) while Textual's, installed by
pip, are already compiled. Compiling once before timing measures both apps alike.
"""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_tutor() -> None:
    import tutor

    compileall.compile_dir(Path(tutor.__file__).parent, quiet=1)
