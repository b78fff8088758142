"""Subcommand ``weights``: download GPT-2, and list or remove the weights and checkpoints the demos use."""

from __future__ import annotations

import argparse
import sys

from tutor.errors import TutorError


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    weights = subparsers.add_parser("weights", help="download, list or remove GPT-2 weights and checkpoints")
    actions = weights.add_subparsers(title="actions", metavar="ACTION")
    download = actions.add_parser(
        "download",
        help="fetch GPT-2 weights from the Hugging Face Hub",
        description="Fetch GPT-2 weights from the Hugging Face Hub into the tutor's data folder.",
    )
    from tutor.demos.weights import GPT2_DOWNLOADS

    download.add_argument("size", metavar="SIZE", help="which GPT-2: " + ", ".join(GPT2_DOWNLOADS))
    download.set_defaults(func=download_command)
    listing = actions.add_parser(
        "list",
        help="list the weights the demos can use",
        description="The weights --weights accepts: GPT-2, then pretrain's checkpoints, newest first.",
    )
    listing.set_defaults(func=list_weights_command)
    remove = actions.add_parser(
        "remove",
        help="remove pretrain checkpoints or downloaded GPT-2 weights",
        description="Remove checkpoints (by the names `tutor weights list` shows) or downloaded GPT-2.",
    )
    remove.add_argument("names", nargs="+", metavar="NAME", help="a checkpoint's name, or a GPT-2 size")
    remove.set_defaults(func=remove_weights_command)
    weights.set_defaults(func=lambda args: _print_help(weights))


def _print_help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0


def download_command(args: argparse.Namespace) -> int:
    from tutor.demos.weights import download_gpt2

    folder = download_gpt2(args.size, report=lambda line: print(line, file=sys.stderr))
    print(f"GPT-2 '{args.size}' is in {folder}; use it with: tutor demo generate --weights {args.size}")
    return 0


def list_weights_command(args: argparse.Namespace) -> int:
    from tutor.demos.checkpoints import list_checkpoints
    from tutor.demos.weights import available_weights

    checkpoints = {str(c.path) for c in list_checkpoints()}
    weights = [(name, where) for name, where in available_weights() if where not in checkpoints]
    width = max(len(name) for name, _ in weights)
    for name, where in weights:
        print(f"{name:<{width}}  {where}")
    rows = [
        (
            c.name,
            str(c.steps) if c.steps is not None else "-",
            f"{c.val_loss:.3f}" if c.val_loss is not None else "-",
            c.saved.strftime("%Y-%m-%d %H:%M"),
            f"{c.size / 2**20:.1f} MB",
            c.problem or "",
        )
        for c in list_checkpoints()
    ]
    if not rows:
        print("\nNo pretrain checkpoints yet: `tutor demo pretrain` saves one.")
        return 0
    header = ("checkpoint", "step", "val loss", "saved", "size", "")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    print()
    for row in [header, *rows]:
        name, *numbers, saved, size, problem = row
        line = f"{name:<{widths[0]}}  {numbers[0]:>{widths[1]}}  {numbers[1]:>{widths[2]}}  "
        print((line + f"{saved:<{widths[3]}}  {size:>{widths[4]}}  {problem}").rstrip())
    return 0


def remove_weights_command(args: argparse.Namespace) -> int:
    """Remove checkpoints by name and downloaded GPT-2 sizes; nothing outside the tutor's folders."""
    import shutil

    from tutor.demos.checkpoints import list_checkpoints
    from tutor.demos.weights import GPT2_DOWNLOADS, weights_folder

    by_name = {c.name: c for c in list_checkpoints()}
    unknown = [
        n for n in args.names if n not in by_name and not (n in GPT2_DOWNLOADS and weights_folder(n).is_dir())
    ]
    if unknown:
        known = ", ".join([*by_name, *(s for s in GPT2_DOWNLOADS if weights_folder(s).is_dir())]) or "none"
        raise TutorError(f"There are no weights called {unknown[0]!r} to remove (there are: {known}).")
    for name in dict.fromkeys(args.names):
        try:
            if name in by_name:
                by_name[name].path.unlink()
                print(f"Removed {name} ({by_name[name].size / 2**20:.1f} MB).")
            else:
                shutil.rmtree(weights_folder(name))
                print(f"Removed GPT-2 '{name}' from {weights_folder(name)}.")
        except OSError as exc:
            raise TutorError(
                f"Cannot remove {name}: {exc.strerror or exc}; check the folder's permissions."
            ) from None
    return 0
