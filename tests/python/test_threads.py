"""Scoring from several Python threads at once gives the single-threaded results.

The compiled core releases the GIL while it reads files and scores, so the threads
really do run together; any state shared between calls would show here.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd
import reinscore
from _helpers import SAMPLE, assert_same_scores

THREADS = 4


def _run_together(fn: Any, n: int = THREADS) -> list[Any]:
    """Runs `fn(i)` in `n` threads that start at the same moment."""
    barrier = threading.Barrier(n)

    def task(i: int) -> Any:
        barrier.wait(timeout=60)
        return fn(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(task, range(n)))


def test_file_input_from_threads(sample_scores: pd.DataFrame) -> None:
    results = _run_together(lambda i: reinscore.score(SAMPLE, id="interview_id", keep=["round"]))
    for got in results:
        assert_same_scores(got, sample_scores)


def test_dataframe_input_and_explain_from_threads(sample_df: pd.DataFrame) -> None:
    """Each thread scores its own quarter of the rows: no result may get another's rows."""
    parts = [sample_df.iloc[i::THREADS] for i in range(THREADS)]
    single = [reinscore.score(p, id="interview_id", explain=True) for p in parts]
    for _ in range(3):
        results = _run_together(lambda i: reinscore.score(parts[i], id="interview_id", explain=True))
        for got, want in zip(results, single):
            assert_same_scores(got, want)
    whole = reinscore.score(sample_df, id="interview_id", explain=True)
    assert_same_scores(pd.concat(single).sort_index(), whole)


def test_different_work_in_each_thread(sample_df: pd.DataFrame, sample_scores: pd.DataFrame) -> None:
    """Different instruments and weights at once: nothing leaks from one call to another."""
    weighted = reinscore.load_instrument().with_weights(
        pd.DataFrame({"item": reinscore.load_instrument().items["id"], "dimension_weight": 2.0})
    )
    jobs = [
        lambda: reinscore.score(SAMPLE, id="interview_id", keep=["round"]),
        lambda: reinscore.score(sample_df.astype("category"), instrument=weighted),
        lambda: reinscore.validate(SAMPLE).problems,
        lambda: reinscore.score(sample_df.iloc[::-1], id="interview_id"),
    ]
    single = [job() for job in jobs]
    together = _run_together(lambda i: jobs[i]())
    assert_same_scores(together[0], single[0])
    assert_same_scores(together[0], sample_scores)
    assert_same_scores(together[1], single[1])
    pd.testing.assert_frame_equal(together[2], single[2])
    assert_same_scores(together[3], single[3])
    assert_same_scores(together[3].sort_index(), sample_scores.drop(columns="round"))
