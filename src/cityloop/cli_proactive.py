"""`cityloop proactive …`: the forecasts per district and category (with their backtest
against seasonal-naive) and the proposals made from forecasts and repeated problems."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, NoReturn

import numpy as np


def _refuse(message: str) -> NoReturn:
    print(f"cityloop proactive: {message}", file=sys.stderr)
    sys.exit(2)


def _progress(done: int, total: int) -> None:
    if done == total or done % 10 == 0:
        print(f"\r  series {done}/{total}", end="\n" if done == total else "", file=sys.stderr)


def _as_of(args: argparse.Namespace) -> date:
    from cityloop.kernel import clock

    return args.as_of or clock.today()


def _check(args: argparse.Namespace) -> None:
    """Bad options are refused before the database is touched: one line, exit status 2."""
    from cityloop.proactive.forecast import MAX_HORIZON

    if args.as_of is not None:
        try:
            args.as_of = date.fromisoformat(args.as_of)
        except ValueError:
            _refuse(f"--as-of must be a date YYYY-MM-DD, not {args.as_of!r}")
    horizon = getattr(args, "horizon", 1)
    if not 1 <= horizon <= MAX_HORIZON:
        _refuse(f"--horizon must be 1 to {MAX_HORIZON} weeks, not {horizon}")


def forecast(args: argparse.Namespace) -> None:
    from cityloop.proactive.outlook import city_outlook

    outlooks = city_outlook(
        as_of=_as_of(args),
        horizon=args.horizon,
        with_backtest=args.backtest,
        progress=_progress,
    )
    if not outlooks:
        _refuse("no district × category series with appeals to forecast (build a demo first)")
    head = f"{'series':<28} {'weeks':>5} {'usual':>6}  forecast (next {args.horizon} weeks)"
    if args.backtest:
        head += f"  {'MASE':>6} {'naive':>6} season"
    print(head)
    for outlook in outlooks:
        ahead = " ".join(f"{value:4.1f}" for value in outlook.forecast.mean)
        line = f"{outlook.label:<28} {len(outlook.weeks):>5} {outlook.usual:>6.1f}  {ahead}"
        if outlook.backtest is not None:
            line += f"  {outlook.backtest.mase:6.3f} {outlook.backtest.naive_mase:6.3f} "
            line += "yes" if outlook.seasonal else "no"
        print(line)
    if args.backtest:
        _summary(outlooks)


def _summary(outlooks: list[Any]) -> None:
    tested = [o for o in outlooks if o.backtest is not None and np.isfinite(o.backtest.mase)]
    if not tested:
        print("\nno series is long enough to backtest (more than 52 weeks plus the horizon)")
        return
    print()
    for label, chosen in (
        ("all series", tested),
        ("series with an annual season", [o for o in tested if o.seasonal]),
    ):
        if not chosen:
            continue
        model = np.array([o.backtest.mase for o in chosen])
        naive = np.array([o.backtest.naive_mase for o in chosen])
        print(
            f"{label}: {len(chosen)} series, MASE mean {model.mean():.3f} "
            f"median {np.median(model):.3f} (seasonal-naive {naive.mean():.3f}); "
            f"below 0.8: {int((model < 0.8).sum())}, beats seasonal-naive: "
            f"{int((model < naive).sum())}"
        )


def propose(args: argparse.Namespace) -> None:
    from cityloop.access.actors import Actor
    from cityloop.proactive.services import propose_from_forecasts, propose_recurring

    as_of, system = _as_of(args), Actor.system()
    made = propose_from_forecasts(as_of=as_of, actor=system)
    made += propose_recurring(as_of=as_of, actor=system)
    for proposal in made:
        print(f"{proposal.pk:>6} {proposal.source:<9} {proposal.status:<9} {proposal.title}")
    print(f"{len(made)} proposals", file=sys.stderr)


def add_commands(sub: Any, prepare: Callable[[], None]) -> None:
    proactive = sub.add_parser("proactive", help="未诉先办: forecasts and proactive proposals")
    commands = proactive.add_subparsers(dest="proactive_command", required=True)

    def with_database(run: Callable[[argparse.Namespace], None]) -> Callable[..., None]:
        def wrapped(args: argparse.Namespace) -> None:
            _check(args)
            prepare()
            run(args)

        return wrapped

    forecast_parser = commands.add_parser(
        "forecast", help="weekly appeals per district × first-level category, weeks ahead"
    )
    forecast_parser.add_argument("--horizon", type=int, default=4, help="weeks ahead (1-8)")
    forecast_parser.add_argument("--as-of", default=None, help="YYYY-MM-DD")
    forecast_parser.add_argument(
        "--backtest",
        action="store_true",
        help="rolling-origin MASE against seasonal-naive (seasonality 52) per series",
    )
    forecast_parser.set_defaults(func=with_database(forecast))

    propose_parser = commands.add_parser(
        "propose", help="proposals from forecasts and problems called in again and again"
    )
    propose_parser.add_argument("--as-of", default=None, help="YYYY-MM-DD")
    propose_parser.set_defaults(func=with_database(propose))
