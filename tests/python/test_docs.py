"""The README's examples are the tested ones, and the docs name what exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_cpp_example_is_the_tested_consumer() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```cpp\n(.*?)```", readme, flags=re.DOTALL)
    consumer = (ROOT / "tests/cmake/consumer/main.cpp").read_text(encoding="utf-8")
    assert blocks == [consumer]


def test_readme_has_exactly_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up on a new machine", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^make \w+", setup, flags=re.MULTILINE)
    assert commands == ["make demo", "make test"]


def test_readme_says_the_numbers_are_provisional_and_the_sample_synthetic() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "**Provisional numbers.**" in readme
    assert "**synthetic**" in readme


def test_cli_doc_lists_every_exit_code_of_the_program() -> None:
    header = (ROOT / "src/cli/cli.hpp").read_text(encoding="utf-8")
    codes = sorted(int(c) for c in re.findall(r"= (\d+),", header))
    doc = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    documented = sorted(int(c) for c in re.findall(r"^\| (\d) \|", doc, flags=re.MULTILINE))
    assert codes == documented == [0, 1, 2, 3, 4]


def _block(text: str, heading: str, lang: str) -> str:
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(rf"```{lang}\n(.*?)```", section, flags=re.DOTALL)
    return block


def _workdir(tmp: Path) -> Path:
    """A directory where README's relative paths (data/...) resolve and outputs land."""
    (tmp / "data").symlink_to(ROOT / "data")
    return tmp


def test_readme_command_line_block_runs_as_written(tmp_path: Path) -> None:
    import os
    import shlex
    import subprocess

    from _helpers import CLI

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    work = _workdir(tmp_path)
    env = dict(os.environ, REINSCORE_INSTRUMENT_PATH=str(ROOT / "data" / "instruments"))
    for line in _block(readme, "## Command line", "sh").splitlines():
        command = line.split("#", 1)[0].strip()
        if not command:
            continue
        argv = shlex.split(command)
        assert argv[0] == "reinscore", command
        p = subprocess.run([str(CLI), *argv[1:]], cwd=work, env=env, capture_output=True,
                           timeout=300, check=False)
        # validate exits 1 on the sample: it has planted problems (data/examples/README.md).
        assert p.returncode in ((0, 1) if argv[1] == "validate" else (0,)), (command, p.stderr)
    assert (work / "report.html").stat().st_size > 10_000
    assert (work / "scores.csv").is_file()


def test_readme_python_block_runs_as_written(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    work = _workdir(tmp_path)
    p = subprocess.run([sys.executable, "-c", _block(readme, "## Python", "python")], cwd=work,
                       env=dict(os.environ), capture_output=True, timeout=300, check=False)
    assert p.returncode == 0, p.stderr.decode()
    assert "Chiffres clés" in (work / "rapport.html").read_text(encoding="utf-8")


def test_readme_shows_the_report_picture() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [path] = re.findall(r"!\[[^\]]*\]\((docs/images/report\.png)\)", readme)
    png = (ROOT / path).read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
