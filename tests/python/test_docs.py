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
