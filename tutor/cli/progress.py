"""Subcommands: `due`, `stats` and `optimize`.."""

from __future__ import annotations

import argparse


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    pass
