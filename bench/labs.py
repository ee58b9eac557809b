"""Lab figures: ready (sandbox up + setup), grading a 10-check lab, reset, and a console command.

python bench/labs.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def ms(samples: list[float]) -> str:
    values = sorted(s * 1000 for s in samples)
    return f"median {statistics.median(values):7.1f} ms  (min {values[0]:.1f}, max {values[-1]:.1f}, n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TUTOR_HOME"] = tmp
        from tutor.content import load_catalog
        from tutor.grading import grade
        from tutor.grading.session import LabSession, apply_solution, run_setup
        from tutor.sandbox import AwsCli, start_sandbox

        catalog = load_catalog()
        ready: dict[str, list[float]] = {}
        for lab_id in ("s3-secure-bucket", "sqs-dead-letter", "iam-least-privilege", "vpc-three-tier"):
            lab = catalog.labs[lab_id]
            for i in range(args.runs):
                start = time.perf_counter()
                sandbox = start_sandbox(Path(tmp) / f"ready-{lab_id}-{i}", preload=lab.services)
                run_setup(LabSession(lab, sandbox, Path(tmp), 0))
                ready.setdefault(lab_id, []).append(time.perf_counter() - start)
                sandbox.stop()
        for lab_id, samples in ready.items():
            print(f"lab ready  {lab_id:<24} {ms(samples)}")

        lab = catalog.labs["ecs-fargate-service"]  # 10 checks
        sandbox = start_sandbox(Path(tmp) / "grade", preload=lab.services)
        session = LabSession(lab, sandbox, Path(tmp) / "ws", 0)
        session.workspace.mkdir()
        run_setup(session)
        apply_solution(session)
        ctx = session.check_context()
        grade(lab, ctx)  # clients created once, as at lab start
        graded = []
        for _ in range(args.runs):
            start = time.perf_counter()
            report = grade(lab, ctx)
            graded.append(time.perf_counter() - start)
        assert report.passed == report.total == 10, report
        print(f"grade      {lab.id} ({report.total} checks) {ms(graded)}")

        resets = []
        for _ in range(args.runs):
            start = time.perf_counter()
            sandbox.reset()
            run_setup(session)
            resets.append(time.perf_counter() - start)
        print(f"reset      {lab.id} (reset + setup)  {ms(resets)}")

        cli = AwsCli(sandbox, cwd=session.workspace)
        cli.run("ecs list-clusters")  # the driver's first command
        for command in ("s3api list-buckets", "sqs list-queues", "ec2 describe-vpcs --query Vpcs[].CidrBlock"):
            samples = []
            for _ in range(args.runs):
                start = time.perf_counter()
                result = cli.run(command)
                samples.append(time.perf_counter() - start)
            assert result.exit_code == 0, result.stderr
            print(f"console    {command:<40} {ms(samples)}")
        sandbox.stop()


if __name__ == "__main__":
    main()
