"""How long loading and validating the whole content corpus takes.

Prints medians for: a cold load (no cache: every file parsed and validated), a warm load (unchanged
files from the cache, cross-references checked again), and `tutor validate` as a whole process.

    python bench/validate.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def report(name: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    print(f"{name:<34} median {statistics.median(ms):7.1f} ms   p90 {ms[int(len(ms) * 0.9) - 1]:7.1f} ms   n={len(ms)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["TUTOR_HOME"] = home
        from tutor.content import load_catalog

        catalog = load_catalog()  # imports, and fills the cache
        print("corpus:", ", ".join(f"{n} {k}" for k, n in catalog.counts().items()))
        report("cold load + validate (no cache)", timed(lambda: load_catalog(use_cache=False), args.runs))
        report("warm load + validate (cache)", timed(load_catalog, args.runs))
        env = {**os.environ, "TUTOR_HOME": home}
        cli = [sys.executable, "-m", "tutor", "validate", "-q"]
        report("`tutor validate` process, warm", timed(lambda: subprocess.run(cli, env=env, check=True), args.runs))
        report("python -c pass (interpreter only)",
               timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), args.runs))


if __name__ == "__main__":
    main()
