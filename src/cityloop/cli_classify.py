"""`cityloop classify train|evaluate`: a city's own history and files in, a model out."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn


def _corrections_as(labels: list[str]) -> tuple[list[str], list[str]]:
    """Staff corrections, expressed at the same taxonomy depth as the training labels."""
    from cityloop.classify.services import corrections_dataset
    from cityloop.taxonomy.services import PATH_SEPARATOR

    texts, paths = corrections_dataset()
    depth = max((label.count(PATH_SEPARATOR) + 1 for label in labels), default=3)
    by_path = all(PATH_SEPARATOR in label for label in labels) and depth > 1
    if by_path:
        return texts, [PATH_SEPARATOR.join(p.split(PATH_SEPARATOR)[:depth]) for p in paths]
    return texts, [p.split(PATH_SEPARATOR)[0] for p in paths]


def train(args: argparse.Namespace) -> None:
    from cityloop.appeals.selectors import training_history
    from cityloop.classify.datasets import read_labeled, read_unlabeled
    from cityloop.classify.services import train_and_register

    if args.data:
        texts, labels = read_labeled(args.data)
        source = args.data
    else:
        texts, labels = training_history()
        source = "the appeal history in the database"
    if not texts:
        sys.exit("no labelled texts: pass --data FILE.csv (columns text,label) or build a history")
    fixed_texts, fixed_labels = _corrections_as(labels)
    if fixed_texts:
        print(f"adding {len(fixed_texts)} staff corrections")
        texts, labels = texts + fixed_texts, labels + fixed_labels
    unlabeled = read_unlabeled(args.unlabeled) if args.unlabeled else []
    outcome = train_and_register(
        texts,
        labels,
        unlabeled=unlabeled,
        trained_on=source,
        holdout=args.holdout,
        force=args.force,
    )
    held = outcome.new_holdout
    print(
        f"held-out macro-F1 of the new model: {held.macro_f1:.3f} "
        f"(accuracy {held.accuracy:.3f}, {len(held.per_class)} classes)"
    )
    if outcome.old_holdout is not None:
        print(f"held-out macro-F1 of the model in use: {outcome.old_holdout.macro_f1:.3f}")
    verdict = "now in use" if outcome.activated else "kept, NOT in use (worse than the current one)"
    print(f"registered model {outcome.record.name}: {verdict}")


def train_second(args: argparse.Namespace) -> None:
    """The second stage: embed the labelled texts (cached in the data directory: only new
    texts cost time), choose the threshold and blend weight by cross-validation, register."""
    from cityloop.appeals.selectors import training_history
    from cityloop.classify.datasets import read_labeled
    from cityloop.classify.embeddings import E5Embedder, default_cache, embed_cached
    from cityloop.classify.second_opinion import register_second_stage
    from cityloop.classify.secondstage import train_second_stage
    from cityloop.classify.services import active_model

    if not 0 < args.share <= 1:
        _refuse("--share must be a share between 0 and 1 (e.g. 0.2)")
    if args.folds < 2:
        _refuse("--folds must be at least 2")
    if args.data:
        try:
            texts, labels = read_labeled(args.data)
        except (OSError, ValueError) as error:
            _refuse(str(error))
        source = args.data
    else:
        texts, labels = training_history()
        source = "the appeal history in the database"
    fixed_texts, fixed_labels = _corrections_as(labels) if texts else ([], [])
    texts, labels = texts + fixed_texts, labels + fixed_labels
    if len(set(labels)) < 2 or min(labels.count(v) for v in set(labels)) < args.folds:
        _refuse(f"need at least two categories with {args.folds} labelled texts each")
    say = lambda line: print(line, file=sys.stderr)  # noqa: E731
    fast = active_model()
    if fast is not None and set(fast.label_codes) != set(labels):
        say(
            f"warning: the fast model in use ({fast.name}) was trained on other labels; the "
            "blend only mixes the labels both know — train both on the same data"
        )
    cache = default_cache()
    say(f"embedding {len(texts)} texts ({len(cache)} embeddings cached in {cache.directory})")
    embedder = E5Embedder()
    embeddings = embed_cached(texts, embedder, cache)
    stage, score = train_second_stage(
        texts,
        labels,
        embeddings,
        encoder=embedder.name,
        share=args.share,
        folds=args.folds,
        progress=say,
    )
    record = register_second_stage(stage, score, labels=labels, trained_on=source, folds=args.folds)
    print(
        f"{args.folds}-fold CV macro-F1: fast {score.fast_f1:.3f}, e5 + LR alone "
        f"{score.second_f1:.3f}, blend on all {score.blend_all_f1:.3f}, "
        f"fast + second stage on the {score.share_sent:.0%} least sure {score.routed_f1:.3f}"
    )
    print(f"registered second stage {record.name}, now in use: {stage.describe()}")


def _refuse(message: str) -> NoReturn:
    print(f"cityloop classify: {message}", file=sys.stderr)
    sys.exit(2)


def evaluate(args: argparse.Namespace) -> None:
    from cityloop.classify.datasets import read_labeled
    from cityloop.classify.models import ClassifierModel
    from cityloop.classify.services import evaluate_model

    texts, labels = read_labeled(args.data)
    try:
        record, report = evaluate_model(texts, labels, args.model)
    except ClassifierModel.DoesNotExist:
        sys.exit(f"no such model: {args.model or '(none in use)'}; train one first")
    print(f"model {record.name} on {args.data} ({len(texts)} texts)")
    print(report.as_text())


def _after(
    prepare: Callable[[], None], command: Callable[[argparse.Namespace], None]
) -> Callable[[argparse.Namespace], None]:
    def run(args: argparse.Namespace) -> None:
        prepare()
        command(args)

    return run


def add_commands(sub: argparse._SubParsersAction, prepare: Callable[[], None]) -> None:  # type: ignore[type-arg]
    classify = sub.add_parser("classify", help="train and evaluate the category model")
    actions = classify.add_subparsers(dest="action", required=True)
    train_cmd = actions.add_parser("train", help="train, compare with the model in use, register")
    train_cmd.add_argument("--data", help="CSV with columns text,label (default: the history)")
    train_cmd.add_argument("--unlabeled", help="CSV with a text column, to learn from too")
    train_cmd.add_argument("--holdout", type=float, default=0.2)
    train_cmd.add_argument("--force", action="store_true", help="use it even if it is worse")
    train_cmd.set_defaults(func=_after(prepare, train))
    second_cmd = actions.add_parser(
        "train-second",
        help="train the second stage (e5 + LR) for the appeals the fast model is unsure about",
    )
    second_cmd.add_argument("--data", help="CSV with columns text,label (default: the history)")
    second_cmd.add_argument(
        "--share", type=float, default=0.2, help="share of appeals sent to it (default 0.2)"
    )
    second_cmd.add_argument("--folds", type=int, default=5)
    second_cmd.set_defaults(func=_after(prepare, train_second))
    evaluate_cmd = actions.add_parser("evaluate", help="accuracy, macro-F1, per class, confusion")
    evaluate_cmd.add_argument("--data", required=True, help="CSV with columns text,label")
    evaluate_cmd.add_argument("--model", help="model name (default: the one in use)")
    evaluate_cmd.set_defaults(func=_after(prepare, evaluate))
