"""`cityloop warning …`: early-warning detectors run on any file (issue 14)."""

from __future__ import annotations

import argparse


def add_warning_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from cityloop.warning.scan_cli import add_scan_command

    warning = subparsers.add_parser("warning", help="early warning: rises, clusters, topics")
    actions = warning.add_subparsers(dest="warning_command", required=True)
    add_scan_command(actions)
