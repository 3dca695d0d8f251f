"""The command line. Each module in this package registers its own subcommands:

- ``inspect``: ``presets``, ``trace``
- ``training``: ``train``
- ``rendering``: ``render``
- ``analysis``: ``paths``, ``diff``
- ``codegen``: ``code``

Every error a user can cause exits with status 2 and one readable line.
"""
from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMAND_MODULES = ("inspect", "training", "rendering", "analysis", "codegen")


class UsageError(Exception):
    """A user mistake: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's default prints the usage; one line is kinder
        raise UsageError(message)


def whole_number(text: str) -> int:
    """argparse type of --sample, --epochs, ...: engine.numbers.parse_whole, bounded before
    int() (argparse's int would echo a 5,000-digit argument back whole)."""
    from ..numbers import parse_whole
    try:
        return parse_whole(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def real_number(text: str) -> float:
    """argparse type of a float setting (--scale): engine.numbers' grammar, not float()'s."""
    from ..numbers import float_number
    try:
        return float_number(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m engine", description="Backprop Explorer's engine")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"{__name__}.{name}":
                continue  # a command group not built yet
            raise
        module.register(sub)
    return parser


def main(argv=None) -> int:
    from ..names import one_line
    from ..numbers import NotExactError
    try:
        args = build_parser().parse_args(argv)
        return args.run(args) or 0
    except BrokenPipeError:  # the reader left (`| head`): nothing more to say
        sys.stderr.close()
        return 0
    except (UsageError, ValueError, NotExactError, OSError) as e:
        print(f"error: {one_line(e)}", file=sys.stderr)  # a file's name may hold U+202E
        return 2
