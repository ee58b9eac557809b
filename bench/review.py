"""Review performance at collection scale: the due queue, recording an answer, the statistics data.

    python bench/review.py [--cards 100000] [--logs 1000000] [--small 10000]

Builds two throwaway databases (10k cards / 100k logs and 100k cards / 1M logs) through the real
migrations, fills them with executemany, then prints medians:
  - the next 50 due cards, end to end (tutor.srs.scheduler.due_cards), and its EXPLAIN QUERY PLAN
  - the ratio of that time between the two sizes (flat = an index range scan)
  - recording an answer (record_answer: read card, FSRS, update card, insert log, daily totals, commit)
  - the Stats screen data (tutor.srs.stats.gather), with a catalog of 1,000 questions (the real bank has
    ~540) and with one question per card (mastery then aggregates 100k questions in Python)
Targets: due ≤ 1.5 ms, record ≤ 2 ms, stats ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = datetime.now(UTC)
FMT = "%Y-%m-%d %H:%M:%S.%f"
CHAPTERS = 20


def build(path: Path, cards: int, logs: int, seed: int = 7) -> None:
    from tutor.store.db import get_engine

    url = f"sqlite:///{path}"
    engine = get_engine(url)  # runs the migrations
    rng = random.Random(seed)
    card_rows, log_rows = [], []
    per_card = max(1, logs // cards)
    log_id = 0
    for cid in range(1, cards + 1):
        # due from 30 days overdue to a year ahead: a few percent are due now, as in a real collection
        due = NOW + timedelta(days=rng.uniform(-30, 365))
        last = NOW - timedelta(days=rng.uniform(1, 60))
        stability = rng.uniform(0.5, 200)
        state = 2 if rng.random() < 0.9 else rng.choice((1, 3))
        card_rows.append(
            (
                cid,
                "question",
                f"q-{cid:06d}",
                state,
                None if state == 2 else 0,
                stability,
                rng.uniform(1, 10),
                due.strftime(FMT),
                last.strftime(FMT),
                rng.randint(0, 3),
                0,
                (last - timedelta(days=300)).strftime(FMT),
            )
        )
        t = NOW - timedelta(days=700 * rng.random())
        for n in range(per_card):
            log_id += 1
            t += timedelta(days=rng.uniform(0.5, 40))
            if t > NOW:
                t = NOW - timedelta(minutes=rng.uniform(1, 600))
            rating = 1 if rng.random() < 0.12 else rng.choice((2, 3, 3, 3, 4))
            ivl = rng.uniform(0.01, 60)
            counted = None if n == 0 else int(ivl >= 21)
            log_rows.append(
                (
                    log_id,
                    cid,
                    rating,
                    t.strftime(FMT),
                    rng.randint(1500, 20000),
                    0 if n == 0 else 2,
                    None if n == 0 else ivl,
                    ivl,
                    "review",
                    None,
                    t.date().isoformat(),
                    counted,
                )
            )
    with engine.begin() as conn:
        # index after loading: much faster than maintaining them row by row
        indexes = (
            conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('card', 'review_log') "
                "AND sql IS NOT NULL"
            )
            .scalars()
            .all()
        )
        for sql in indexes:
            conn.exec_driver_sql("DROP INDEX " + sql.split()[2])
        conn.exec_driver_sql(
            "INSERT INTO card (id, kind, item_id, state, step, stability, difficulty, due, last_review, lapses, "
            "retired, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            card_rows,
        )
        conn.exec_driver_sql(
            "INSERT INTO review_log (id, card_id, rating, reviewed_at, duration_ms, state_before, elapsed_days, "
            "interval_days, source, card_before, study_day, counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            log_rows,
        )
        conn.exec_driver_sql(
            "INSERT INTO review_day SELECT study_day, count(*), sum(state_before = 0), "
            "sum(ifnull(counted = 0 AND rating > 1, 0)), sum(ifnull(counted = 0, 0)), "
            "sum(ifnull(counted = 1 AND rating > 1, 0)), sum(ifnull(counted = 1, 0)), "
            "sum(duration_ms) FROM review_log GROUP BY study_day"
        )
        for sql in indexes:
            conn.exec_driver_sql(sql)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")


def median_ms(fn, runs: int) -> tuple[float, float]:
    for _ in range(min(50, runs)):
        fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - t) / 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * len(samples)) - 1]


def fake_catalog(cards: int):
    """One question per card over 20 chapters and the two exam families: what gather() reads."""
    fams = {
        "saa": SimpleNamespace(
            domains=[SimpleNamespace(id=d, name=d) for d in ("secure", "resilient", "performance", "cost")]
        ),
        "clf": SimpleNamespace(
            domains=[SimpleNamespace(id=d, name=d) for d in ("concepts", "security", "technology", "billing")]
        ),
    }
    lessons = {f"ch{c:02d}": SimpleNamespace(id=f"ch{c:02d}", title=f"Chapter {c}") for c in range(CHAPTERS)}
    questions = {}
    for cid in range(1, cards + 1):
        questions[f"q-{cid:06d}"] = SimpleNamespace(
            lesson=f"ch{cid % CHAPTERS:02d}#s",
            domain={"saa": fams["saa"].domains[cid % 4].id, "clf": fams["clf"].domains[cid % 4].id},
        )
    return SimpleNamespace(lessons=lessons, families=fams, questions=questions)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cards", type=int, default=100_000)
    ap.add_argument("--logs", type=int, default=1_000_000)
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, help="Build the databases here and reuse them on the next run.")
    args = ap.parse_args()

    from tutor.srs import scheduler as sch
    from tutor.srs.stats import gather

    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as scratch:
        tmp = str(args.keep or scratch)
        Path(tmp).mkdir(parents=True, exist_ok=True)
        os.environ["TUTOR_HOME"] = tmp
        results = {}
        for label, cards, logs in (
            ("small", args.small, args.small * args.logs // args.cards),
            ("large", args.cards, args.logs),
        ):
            path = Path(tmp) / f"{label}-{cards}-{logs}.db"
            t = time.perf_counter()
            if not path.exists():
                build(path, cards, logs)
            print(f"{label}: {cards:,} cards, {logs:,} review logs ready in {time.perf_counter() - t:.1f} s")
            os.environ["TUTOR_DB_URL"] = f"sqlite:///{path}"
            due = sch.due_cards(50)
            assert len(due) == 50 and all(a.due <= b.due for a, b in itertools.pairwise(due))
            results[label] = median_ms(lambda: sch.due_cards(50), 3000)
            print(f"  next 50 due cards: median {results[label][0]:.3f} ms, p95 {results[label][1]:.3f} ms")

        large = Path(tmp) / f"large-{args.cards}-{args.logs}.db"
        from tutor.store.db import get_engine

        with get_engine(f"sqlite:///{large}").connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sch.DUE_SQL, (NOW.strftime(FMT), 50)).all()
        print("  EXPLAIN QUERY PLAN:", " | ".join(row[-1] for row in plan))
        print(f"  ratio 100k/10k: {results['large'][0] / results['small'][0]:.2f}")

        rng = random.Random(3)
        ids = [f"q-{rng.randint(1, args.cards):06d}" for _ in range(4000)]
        it = iter(ids)
        rec = median_ms(lambda: sch.record_answer("question", next(it), rng.choice((1, 3, 3, 4)), 5000), 1500)
        print(f"record an answer: median {rec[0]:.3f} ms, p95 {rec[1]:.3f} ms")

        for questions in (1_000, args.cards):
            catalog = fake_catalog(questions)
            st = median_ms(lambda catalog=catalog: gather(catalog), 15)
            print(
                f"stats screen data ({args.cards:,} cards, {args.logs:,} logs, a catalog of {questions:,} "
                f"questions): median {st[0]:.1f} ms, p95 {st[1]:.1f} ms"
            )
        data = gather(catalog)
        print(
            f"  forecast day 0-2: {data.forecast[:3]}, months of retention: {len(data.retention)}, "
            f"chapters: {len(data.chapters)}"
        )


if __name__ == "__main__":
    main()
