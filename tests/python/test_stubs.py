"""The hand-written stubs of the compiled core (python/reinscore/_core.pyi) match it.

mypy's stubtest imports reinscore._core and compares every name, signature and
property with the stub, so a binding added or changed in bindings/*.cpp without its
stub fails here. Names that exist only in the stub (the record types) are listed in
stubtest_allowlist.txt.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import reinscore
from _helpers import REPO
from reinscore import _core

HERE = Path(__file__).resolve().parent
STUB = REPO / "python" / "reinscore" / "_core.pyi"


def test_installed_stub_is_the_source_stub() -> None:
    installed = Path(reinscore.__file__).parent / "_core.pyi"
    assert installed.is_file(), "the wheel ships _core.pyi (and py.typed)"
    assert (Path(reinscore.__file__).parent / "py.typed").is_file()
    source = REPO / "python" / "reinscore" / "_core.pyi"
    assert installed.read_bytes() == source.read_bytes(), "reinstall: the installed stub is stale"


@pytest.mark.slow
def test_stubtest(tmp_path: Path) -> None:
    p = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "reinscore._core",
         "--allowlist", str(HERE / "stubtest_allowlist.txt")],
        capture_output=True, cwd=tmp_path, timeout=600, check=False, text=True,
    )
    assert p.returncode == 0, p.stdout + p.stderr


def _params(fn: ast.FunctionDef) -> list[tuple[str, bool]]:
    """(name, has a default) of each parameter but self."""
    args = fn.args.args
    first_default = len(args) - len(fn.args.defaults)
    return [(a.arg, i >= first_default) for i, a in enumerate(args) if a.arg != "self"]


def _stub_functions() -> dict[str, ast.FunctionDef]:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    out: dict[str, ast.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            out[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef):
                    out[f"{node.name}.{sub.name}"] = sub
    return out


def _runtime_functions() -> dict[str, Any]:
    out: dict[str, Any] = {n: getattr(_core, n) for n in dir(_core)
                           if callable(getattr(_core, n)) and not isinstance(getattr(_core, n), type)}
    for n, v in vars(_core.Instrument).items():
        if not n.startswith("_") and not isinstance(v, property):
            out[f"Instrument.{n}"] = getattr(_core.Instrument, n)
    return out


def test_signatures_match_the_bindings() -> None:
    """stubtest cannot read pybind11 signatures: compare them with the docstrings."""
    stubs = _stub_functions()
    runtime = _runtime_functions()
    assert set(runtime) <= set(stubs), f"not in the stub: {sorted(set(runtime) - set(stubs))}"
    for name, fn in runtime.items():
        first = (fn.__doc__ or "").splitlines()[0]
        parsed = ast.parse(f"def {first.split('(', 1)[0].split('.')[-1]}({first.split('(', 1)[1]}: ...")
        node = parsed.body[0]
        assert isinstance(node, ast.FunctionDef)
        assert _params(node) == _params(stubs[name]), f"{name}: binding says {first}"
