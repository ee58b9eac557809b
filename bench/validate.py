"""How long `tutor validate` takes over the whole content corpus.

Each figure is the median over a number of runs of `tutor validate -q` as a whole process:
  - unchanged: nothing edited since the last run (every file is stat'ed, ids and cross-references
    are checked again, no file is parsed);
  - one file edited: an author's loop, one lesson or one question file touched before each run;
  - cold: no cache at all (first run after install, or after an upgrade of the content code).
Also printed: the same load in-process (what the TUI pays in its worker) and a bare interpreter.

    python bench/validate.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bytecode import compile_tutor

ROOT = Path(__file__).resolve().parent.parent


def timed(fn, runs: int, before=lambda: None) -> list[float]:
    out = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def report(name: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    print(f"{name:<40} median {statistics.median(ms):7.1f} ms   p90 {ms[int(len(ms) * 0.9) - 1]:7.1f} ms   n={len(ms)}")


def touch(path: Path):
    return lambda: os.utime(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    compile_tutor()  # as `pip install .` leaves it; see bytecode.py
    with tempfile.TemporaryDirectory() as home:
        os.environ["TUTOR_HOME"] = home
        from tutor.content import builtin_root, load_catalog

        catalog = load_catalog()  # imports, and fills the cache
        print("corpus:", ", ".join(f"{n} {k}" for k, n in catalog.counts().items()))
        content = builtin_root()
        cli = [sys.executable, "-m", "tutor", "validate", "-q"]
        # from the data dir, so that `-m tutor` is the package imported here, not a checkout in the cwd
        run = lambda: subprocess.run(cli, check=True, cwd=home)
        drop_cache = lambda: shutil.rmtree(Path(home) / "cache", ignore_errors=True)
        report("`tutor validate`, unchanged", timed(run, args.runs))
        report("`tutor validate`, one lesson edited", timed(run, args.runs, touch(content / "lessons" / "08-s3.md")))
        report(
            "`tutor validate`, one question file edited",
            timed(run, args.runs, touch(content / "question_bank" / "s3.yaml")),
        )
        report("`tutor validate`, cold (no cache)", timed(run, max(3, args.runs // 3), drop_cache))
        run()
        report("in-process load_catalog, warm", timed(load_catalog, args.runs))
        report("in-process load_catalog, no cache", timed(lambda: load_catalog(use_cache=False), args.runs))
        report(
            "python -c pass (interpreter only)",
            timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), args.runs),
        )


if __name__ == "__main__":
    main()
