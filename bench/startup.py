"""Time from process start to the first painted screen: aws-tutor's Home vs an empty Textual app.

Each run is a fresh Python process in a pseudo-terminal that exits right after its first paint.
The two apps alternate so that machine noise hits both alike. Prints medians and their ratio.

    python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time

from bytecode import compile_tutor

# Each app records the wall-clock time of its first paint, then leaves at once (os._exit, so that
# background threads still loading content do not count as start-up).
MARK = """
import os, time
def painted():
    with open(os.environ["BENCH_MARK_FILE"], "w") as f:
        f.write(repr(time.time()))
    os._exit(0)
"""

EMPTY = (
    MARK
    + """
from textual.app import App
class Empty(App):
    def on_mount(self):
        self.call_after_refresh(painted)
Empty().run()
"""
)

TUTOR = (
    MARK
    + """
from tutor.tui.app import TutorApp
class FirstPaint(TutorApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(painted)
FirstPaint().run()
"""
)


def once(code: str, env: dict[str, str]) -> float:
    mark = os.path.join(env["TUTOR_HOME"], "painted")
    env = {**env, "BENCH_MARK_FILE": mark}
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    start = time.time()
    # from the data dir, so that `tutor` is the installed package (the one compile_tutor compiled),
    # not a checkout in the current directory
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
        cwd=env["TUTOR_HOME"],
    )
    os.close(slave)
    while proc.poll() is None:  # drain the terminal so the app never blocks on a full pty
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                break
    proc.wait()
    os.close(master)
    if proc.returncode:
        raise SystemExit(f"benchmark app exited with {proc.returncode}")
    with open(mark) as f:
        return float(f.read()) - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    compile_tutor()  # as `pip install .` leaves it; see bytecode.py
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "TUTOR_HOME": home, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
        once(TUTOR, env)  # warm the OS file cache and create the database once
        once(EMPTY, env)
        empty, tutor = [], []
        for _ in range(args.runs):
            empty.append(once(EMPTY, env))
            tutor.append(once(TUTOR, env))
    e, t = statistics.median(empty), statistics.median(tutor)
    print(
        f"empty Textual app : median {e * 1000:7.1f} ms  (min {min(empty) * 1000:.1f}, max {max(empty) * 1000:.1f}, n={len(empty)})"
    )
    print(
        f"aws-tutor Home    : median {t * 1000:7.1f} ms  (min {min(tutor) * 1000:.1f}, max {max(tutor) * 1000:.1f}, n={len(tutor)})"
    )
    print(f"ratio             : {t / e:.2f}x  (target <= 1.30x)")


if __name__ == "__main__":
    main()
