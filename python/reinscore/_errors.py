"""The one exception of reinscore for bad data, files and options: :class:`InputError`."""

from __future__ import annotations

import re

__all__ = ["InputError"]


class InputError(ValueError):
    """A problem with the caller's data, a file or an option value.

    Raised the same way by every function (the checks live in the C++ application layer,
    shared with the command line). A ``ValueError``, so ``except ValueError`` still works.

    Attributes
    ----------
    rule : str
        The rule broken, e.g. ``missing_column``, ``not_a_number``, ``bad_option``
        (docs/cli.md lists them).
    row : int or None
        The row: in a file, the spreadsheet row (the header is row 1); in a DataFrame, the
        1-based position. None when the problem is not tied to a row.
    column : str or None
        The column, when the problem is tied to one.
    option : str or None
        The parameter, when the problem is an option value (``min_cell``, ``level``).

    Messages never hold answer values or identifiers: positions, column names and rules.
    """

    _core_message: str | None = None
    _core_option: str | None = None

    def __init__(
        self,
        message: str,
        rule: str = "",
        row: int | None = None,
        column: str | None = None,
        option: str | None = None,
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.row = row
        self.column = column
        self.option = option


_OPTION = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]*)")


def _python_name(option: str) -> str:
    """``--min-cell`` -> ``min_cell``: the command line's option as a Python parameter."""
    return option.lstrip("-").replace("-", "_")


def _spell(message: str, names: dict[str, str] | None = None) -> str:
    """The command line's ``--option`` tokens of a message as Python parameters."""
    names = names or {}
    return _OPTION.sub(lambda m: names.get(m.group(1), _python_name(m.group(0))), message)


def _from_core(message: str, rule: str, row: int | None, column: str | None, option: str | None) -> InputError:
    """Called by the compiled module for every data, file and option error."""
    # Option names as the Python parameters spell them (also in "(--by; keep it...)").
    err = InputError(_spell(message), rule, row, column, None if option is None else _python_name(option))
    err._core_message = message  # for renamed_options
    err._core_option = option
    return err


class renamed_options:
    """Within it, InputErrors name options by the Python parameters of one function when
    they differ from the command line's (``--from`` is ``from_round`` in reinscore.panel)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, err: BaseException | None, tb: object) -> None:
        raw = getattr(err, "_core_message", None)
        if isinstance(err, InputError) and raw is not None:
            # Rebuilt from the core's message, where options still carry their "--".
            cli = {k.replace("_", "-"): v for k, v in self.names.items()}
            err.args = (_spell(raw, cli),)
            if err.option is not None:
                err.option = self.names.get(err.option, err.option)
