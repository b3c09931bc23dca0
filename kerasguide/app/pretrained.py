"""``kerasguide pretrained [NAME]``: the bundled pretrained MNIST models, from their metadata.

Without a name it prints the table (name, model, parameters, file size and precision, MNIST test
accuracy); with one, that model's entry with the command that retrains it. It reads only the
metadata ([`kerasguide.zoo.pretrained`][kerasguide.zoo.pretrained]): no Keras is imported.
"""

from __future__ import annotations

import argparse

from kerasguide.app.inputs import UserError
from kerasguide.app.report import table

__all__ = ["add_parser", "cmd_pretrained"]


def add_parser(commands, common: argparse.ArgumentParser) -> None:
    """Add ``pretrained`` and its optional ``NAME``."""
    pretrained = commands.add_parser(
        "pretrained",
        parents=[common],
        help="list the pretrained MNIST models, or show one",
        description="List the pretrained MNIST models bundled with kerasguide (load one with "
        "kerasguide.load_pretrained(NAME)), or show one with the command that retrains it.",
    )
    pretrained.add_argument("name", nargs="?", metavar="NAME", help="a pretrained model's name")


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1024:.0f} KiB"


def _accuracy(info: dict) -> str:
    return f"{100 * info['metrics']['mnist-test']['accuracy']:.2f} %"


def _show(name: str) -> None:
    from kerasguide.zoo.pretrained import pretrained_info

    try:
        info = pretrained_info(name)
    except ValueError as exc:  # an unknown name; the message suggests the closest
        raise UserError(str(exc)) from exc
    talk = info["talk_accuracy"]
    rows = [
        ("model", info["model"]),
        ("parameters", f"{info['num_params']:,}"),
        ("file", f"{info['file']}, {info['file_size']:,} bytes, weights in {info['dtype']}"),
        ("sha256", info["sha256"]),
        ("MNIST test accuracy", _accuracy(info) + (f" (the talk: {talk} %)" if talk else "")),
        ("input", info["input"]),
        ("licence", info["license"]),
        ("recipe", info["recipe"]),
        ("load", f"kerasguide.load_pretrained({name!r})"),
    ]
    print(f"{name}:")
    for key, value in rows:
        print(f"  {key + ':':21s}{value}")


def cmd_pretrained(args: argparse.Namespace) -> int:
    """Run ``kerasguide pretrained``; the exit status."""
    from kerasguide.zoo.pretrained import list_pretrained, pretrained_info

    if args.name is not None:
        _show(args.name)
        return 0
    rows = []
    for name in list_pretrained():
        info = pretrained_info(name)
        rows.append((name, info["model"], f"{info['num_params']:,}",
                     f"{_size(info['file_size'])} ({info['dtype']})", _accuracy(info)))  # fmt: skip
    print(table(("name", "model", "parameters", "size", "MNIST test accuracy"), rows))
    print("Load one with kerasguide.load_pretrained(NAME); "
          "'kerasguide pretrained NAME' shows its recipe.")  # fmt: skip
    return 0
