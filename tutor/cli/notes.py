"""Subcommands: `import` and `decks`.."""

from __future__ import annotations

import argparse


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    pass
