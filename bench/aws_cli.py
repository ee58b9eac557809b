"""`tutor aws` against plain `aws`, as processes, side by side on the same lab sandbox.

    python bench/aws_cli.py [--runs N] [--command "sts get-caller-identity"]

Both run the same awscli (v1, the one this environment installs) in a new process per call, alternately, so a
busy machine slows both alike:
- plain:  `aws --endpoint-url URL COMMAND` with fake keys in the environment;
- tutor:  `tutor aws COMMAND` in the lab's shell environment (the endpoint, keys and region are forced);
- shim:   `aws COMMAND` through the lab shell's `aws` shim (what a learner types inside `tutor lab shell`).
It prints the median wall time of each and the ratios to plain `aws` (target: <= 1.0).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
LAB = "sqs-dead-letter"


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{shlex.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def lab_environment(env: dict[str, str]) -> dict[str, str]:
    """The variables `tutor lab env` exports, applied to a copy of env."""
    out = subprocess.run(
        [str(BIN / "tutor"), "lab", "env", LAB], env=env, capture_output=True, text=True, check=True
    ).stdout
    lab_env = dict(env)
    for line in out.splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            lab_env[name] = os.path.expandvars(shlex.split(value)[0]) if value else ""
        elif line.startswith("unset "):
            for name in line.removeprefix("unset ").split():
                lab_env.pop(name, None)
    return lab_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--command", default="sts get-caller-identity")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-aws-"))
    env = {**os.environ, "TUTOR_HOME": str(home)}
    subprocess.run([str(BIN / "tutor"), "lab", "start", LAB], env=env, capture_output=True, check=True)
    try:
        lab_env = lab_environment(env)
        endpoint = lab_env["AWS_ENDPOINT_URL"]
        plain_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        plain_env.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        )
        command = shlex.split(args.command)
        shim = shutil.which("aws", path=lab_env["PATH"])
        runs: dict[str, list[float]] = {"plain aws": [], "tutor aws": [], "lab shell aws (shim)": []}
        ways = {
            "plain aws": ([str(BIN / "aws"), "--endpoint-url", endpoint, *command], plain_env),
            "tutor aws": ([str(BIN / "tutor"), "aws", *command], lab_env),
        }
        if shim:
            ways["lab shell aws (shim)"] = ([shim, *command], lab_env)
        for argv, e in ways.values():
            timed(argv, e)  # once first, so the file cache is warm for every way alike
        for _ in range(args.runs):
            for name, (argv, e) in ways.items():
                runs[name].append(timed(argv, e))
        plain = statistics.median(runs["plain aws"])
        print(f"`{args.command}`, {args.runs} runs each, alternating, medians:")
        for name, values in runs.items():
            if values:
                median = statistics.median(values)
                print(f"  {name:<22} {median * 1000:7.0f} ms   ratio to plain aws {median / plain:.2f}")
        if not shim:
            print("  (no aws shim on the lab's PATH)")
    finally:
        subprocess.run([str(BIN / "tutor"), "lab", "stop", LAB], env=env, capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
