"""Smoke test shipped with the package: ``python -m reinscore.selftest``.

Scores two interviews with the shipped RSS instrument and checks the arithmetic, so
that an installation can be trusted before real data go through it.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

import reinscore


def run() -> None:
    """Raise AssertionError if the installation computes wrong scores."""
    ins = reinscore.load_instrument("iom-rss")
    items = ins.items
    scales = ins.scales
    answers = scales[scales["meaning"] == "answer"]
    best, worst = {}, {}
    for it in items.itertuples():
        codes = answers[answers["scale"] == it.scale].sort_values("value")
        hi, lo = codes["code"].iloc[-1], codes["code"].iloc[0]
        best[it.column], worst[it.column] = (lo, hi) if it.reverse else (hi, lo)
    frame = pd.DataFrame([best, worst, {c: "dont_know" for c in best}])
    out = reinscore.score(frame)
    assert np.allclose(out.loc[0, ins.dimensions + ["composite"]].astype(float), 1.0), out
    assert np.allclose(out.loc[1, ins.dimensions + ["composite"]].astype(float), 0.0), out
    assert out["status"].tolist() == ["complete", "complete", "insufficient"], out["status"]
    assert np.isnan(out["composite"].to_numpy(dtype=float)[2])
    assert (out["instrument"] == ins.tag).all()


if __name__ == "__main__":
    run()
    print(f"reinscore {reinscore.__version__}: self-test passed ({reinscore.load_instrument().tag})")
    sys.exit(0)
