"""Instruments through the command line and through Python: `instrument show --json` and
`Instrument.to_json()` give the same bytes (plain decimal numbers), and `instruments`
lists what `reinscore.list_instruments()` lists."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
import reinscore
from _helpers import DATA, MINI, MINI_WEIGHTS, run_cli
from reinscore import _core
from reinscore._instrument import list_instruments

SHIPPED = sorted(p.stem for p in (DATA / "instruments").glob("*.json"))


@pytest.mark.parametrize("name", [*SHIPPED, str(MINI)])
def test_show_json_is_to_json(name: str) -> None:
    cli = run_cli("instrument", "show", name, "--json").ok().out.decode()
    ins = reinscore.load_instrument(name)
    assert cli == ins.to_json()
    assert _core.Instrument.parse(cli).hash == ins.hash, "loads back as the same instrument"


def test_show_json_with_weights_file() -> None:
    cli = run_cli("instrument", "show", MINI, "--json", "--weights", MINI_WEIGHTS).ok().out.decode()
    py = reinscore.load_instrument(MINI).with_weights(MINI_WEIGHTS)
    assert cli == py.to_json()
    doc = json.loads(cli)
    assert doc == json.loads(py.to_json())


def test_instruments_list_is_the_same() -> None:
    cli = pd.read_csv(io.BytesIO(run_cli("instruments", "--format", "csv").ok().out), dtype=str,
                      keep_default_na=False)
    py = list_instruments()
    # the same search: $REINSCORE_INSTRUMENT_PATH first (run_cli sets it; so does this test)
    assert cli.columns.tolist() == py.columns.tolist()
    shown = py.astype(object).where(py.notna(), "")
    assert cli.values.tolist() == shown.values.tolist()


@pytest.fixture(autouse=True)
def _same_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REINSCORE_INSTRUMENT_PATH", str(DATA / "instruments"))


def test_lookup_errors_are_the_same(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.json")
    r = run_cli("instrument", "show", missing)
    assert r.code == 2
    with pytest.raises(ValueError) as e:
        reinscore.load_instrument(missing)
    assert str(e.value) == r.err.removeprefix("reinscore instrument: ").strip()
    assert "[instrument_not_found]" in str(e.value)
    # a name: the same rule and message (the directories searched differ by face)
    r = run_cli("instrument", "show", "no-such-instrument")
    with pytest.raises(ValueError,
                       match=r"(?s)no instrument named 'no-such-instrument'.*\[instrument_not_found\]"):
        reinscore.load_instrument("no-such-instrument")
    assert r.code == 2 and "[instrument_not_found]" in r.err
