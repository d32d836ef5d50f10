#!/usr/bin/env python3
"""Regenerates docs/images/report.png, the picture of the sample's report in README.md:
the report `make demo` writes, rendered by the test suite's headless browser
(tests/python/_browser.py), its first screen cut out.

    PYTHONPATH=<staged package> .venv/bin/python tools/report_screenshot.py build/demo_report.html
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from _browser import render
from PIL import Image


def main() -> int:
    html = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "demo_report.html"
    with tempfile.TemporaryDirectory() as tmp:
        shot = render(html, Path(tmp), width=1000).screenshot
        with Image.open(shot) as im:
            top = im.crop((0, 0, im.width, min(im.height, int(im.width * 1.25))))
            top.save(ROOT / "docs" / "images" / "report.png", optimize=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
