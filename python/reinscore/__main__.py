"""`python -m reinscore` and the `reinscore` command: the C++ command line."""

from __future__ import annotations

import os
import sys

from . import _core
from ._instrument import instrument_dirs


def main(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    # The compiled command line looks for instruments here; the package ships them.
    paths = [str(d) for d in instrument_dirs()]
    os.environ["REINSCORE_INSTRUMENT_PATH"] = os.pathsep.join(paths)
    sys.stdout.flush()
    sys.stderr.flush()
    return int(_core.run_cli(list(args)))


if __name__ == "__main__":
    sys.exit(main())
