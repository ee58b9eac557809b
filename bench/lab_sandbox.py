"""Sandbox performance figures (medians), against the targets in DESIGN.md.

    python bench/lab_sandbox.py [--runs N]

- start: start_sandbox() until the server answers (target: lab ready <= 1 s, with setup)
- reset: POST /moto-api/reset with a few resources in place (target <= 150 ms)
- warm CLI: AwsCli.run() once the driver is warm (target <= 150 ms; a subprocess `aws` ~400 ms)
- first CLI: a fresh process's first AwsCli.run() (awscli import + driver + the command)
- subprocess CLI: `tutor aws` style, run_aws_subprocess() (for comparison)
- handler: run_handler() round trip, plain and with boto3 calling the sandbox
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tutor.sandbox import AwsCli, run_handler, start_sandbox
from tutor.sandbox.aws_cli import run_aws_subprocess

FIRST_COMMAND = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from tutor.sandbox import attach, AwsCli
sandbox = attach(Path({state!r}))
started = time.perf_counter()
result = AwsCli(sandbox).run("sqs list-queues")
elapsed = time.perf_counter() - started
assert result.exit_code == 0, result.stderr
print(elapsed)
"""

HANDLER = """
def plain(event, context):
    return {"n": event["n"] + 1}

def with_boto3(event, context):
    import boto3
    return len(boto3.client("s3").list_buckets()["Buckets"])
"""


def median_ms(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    middle = statistics.median(ms)
    return f"median {middle:7.1f} ms   (min {ms[0]:6.1f}, max {ms[-1]:6.1f}, n={len(ms)})"


def timed(fn, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    print(f"sandbox bench: {runs} runs each, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")

    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as scratch:
        scratch_path = Path(scratch)

        starts = []
        for i in range(runs):
            started = time.perf_counter()
            sandbox = start_sandbox(scratch_path / f"start-{i}")
            starts.append(time.perf_counter() - started)
            sandbox.stop()
        print(f"sandbox start -> ready       {median_ms(starts)}")

        sandbox = start_sandbox(scratch_path / "main", preload=["s3", "sqs"])
        try:
            s3, sqs = sandbox.client("s3"), sandbox.client("sqs")

            def reset_with_state() -> float:
                for n in range(3):
                    s3.create_bucket(Bucket=f"bench-{n}")
                    sqs.create_queue(QueueName=f"bench-{n}")
                started = time.perf_counter()
                sandbox.reset()
                return time.perf_counter() - started

            resets = [reset_with_state() for _ in range(runs)]
            print(f"reset (6 resources)         {median_ms(resets)}")

            cli = AwsCli(sandbox)
            cli.run("sqs list-queues")
            cli.run("s3api list-buckets")
            sqs.create_queue(QueueName="bench")
            for command in ("sqs list-queues", "s3api list-buckets", "s3 ls"):
                samples = timed(lambda command=command: cli.run(command), runs * 2)
                print(f"warm CLI {command:<19}{median_ms(samples)}")

            firsts = []
            for _ in range(runs):
                script = FIRST_COMMAND.format(root=str(ROOT), state=str(sandbox.state_dir))
                out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
                firsts.append(float(out.strip().splitlines()[-1]))
            print(f"first CLI (fresh process)   {median_ms(firsts)}")

            devnull = os.open(os.devnull, os.O_WRONLY)
            saved = os.dup(1)
            try:
                os.dup2(devnull, 1)
                subs = timed(lambda: run_aws_subprocess(sandbox, ["sqs", "list-queues"]), runs)
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            print(f"subprocess CLI (tutor aws)  {median_ms(subs)}")

            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr("app.py", HANDLER)
            code = buffer.getvalue()
            env = sandbox.env()
            plain = timed(lambda: run_handler(code, "app.plain", {"n": 1}, env), runs)
            print(f"handler round trip          {median_ms(plain)}")
            boto = timed(lambda: run_handler(code, "app.with_boto3", {}, env), runs)
            print(f"handler + boto3 call        {median_ms(boto)}")
        finally:
            sandbox.stop()


if __name__ == "__main__":
    main()
