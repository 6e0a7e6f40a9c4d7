"""Speed of the pure readiness scorer: µs per site for score_site and for its compact summary.

Usage: .venv/bin/python bench/scoring_speed.py [--sites 2000] [--repeat 5]
Scores the sync benchmark's documents (bench/push_ingest.py: 3 speed runs, 4 carriers, every
amenity) in one process and prints the best of `repeat` passes, in µs per site.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from push_ingest import document  # noqa: E402

from app.scoring import load_rubric, score_site  # noqa: E402


def best_us(work: Callable[[], object], count: int, repeat: int) -> float:
    """The fastest of `repeat` passes, in µs per item."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rubric = load_rubric()
    docs = [document(i) for i in range(args.sites)]
    results = [score_site(doc, rubric) for doc in docs]  # warm up
    count, repeat = len(docs), args.repeat
    scored = best_us(lambda: [score_site(d, rubric) for d in docs], count, repeat)
    print(f"score_site:                     {scored:8.1f} µs per site ({count:,} sites)")
    if hasattr(results[0], "to_summary_dict"):
        summary = best_us(lambda: [r.to_summary_dict() for r in results], count, repeat)
        both = best_us(
            lambda: [score_site(d, rubric).to_summary_dict() for d in docs], count, repeat
        )
        print(f"to_summary_dict:                {summary:8.1f} µs per site")
        print(f"score_site + to_summary_dict:   {both:8.1f} µs per site")
    few = docs[: max(1, count // 10)]  # reasons are written once per result: score afresh
    full = best_us(lambda: [score_site(d, rubric).to_dict() for d in few], len(few), repeat)
    print(f"score_site + to_dict (reasons): {full:8.1f} µs per site ({len(few):,} sites)")
    print(f"first site: tier {results[0].tier}, total {results[0].total}")


if __name__ == "__main__":
    main()
