"""``hotline classify`` (read texts) and ``hotline classifier train|evaluate`` (learn, measure).

The classifier's modules (numpy, the model) are imported inside the commands: the other commands
start without them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from config.errors import InvalidInput
from config.staff import Actor
from hotline.cli_base import CliContext, group, pass_cli, print_json

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dispatch.classifier.training import Outcome


@click.command("classify")
@click.argument("text", required=False)
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path), help="One text a line ('-': stdin).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@pass_cli
def classify(cli: CliContext, text: str | None, path: Path | None, as_json: bool) -> None:
    """The service item a text asks for, its confidence and the top 3 suggestions."""
    if (text is None) == (path is None):
        raise InvalidInput("give one TEXT or --file")
    if path is not None and str(path) == "-":
        texts = sys.stdin.read().splitlines()
    elif path is not None:
        texts = path.read_text(encoding="utf-8").splitlines()
    else:
        texts = [text or ""]
    from dispatch import classifier

    with cli.db.read() as session:
        reader, _finder = classifier.for_session(session, precision_target=cli.settings.classifier_precision_target)
        for one in texts:
            found = reader.classify(one)
            if as_json:
                click.echo(json.dumps(found.as_json(), ensure_ascii=False))
                continue
            verdict = found.item_code or ("not a service request" if not found.request else "awaiting triage")
            flags = "  EMERGENCY: call 110 / 120" if found.emergency else ""
            click.echo(f"{verdict}  ({found.confidence:.2f}, {found.source}){flags}")
            for s in found.suggestions:
                click.echo(f"  {s.code:<24} {s.confidence:5.2f}")


@group("classifier", help="Train the text classifier from operators' labels, and measure it.")
def classifier_group() -> None:
    pass


@classifier_group.command("train")
@click.option("--force", is_flag=True, help="Keep the new model even if it scores worse.")
@click.option("--ship", is_flag=True, help="Rebuild the model committed in the package (no database).")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def train(cli: CliContext, force: bool, ship: bool, as_json: bool) -> None:
    """Retrain from the catalogue, the labelled files and every operator's label (held-out check first)."""
    from dispatch.classifier import evaluation, learning

    target = cli.settings.classifier_precision_target
    if ship:
        result = learning.ship(precision_target=target)
    else:
        with cli.db.transaction() as session:
            result = learning.retrain(session, precision_target=target, actor=Actor("cli"), force=force)
    if as_json:
        print_json(result.as_json())
        return
    click.echo(f"{result.note} ({result.examples} examples, {result.seconds:.1f} s)")
    for name, figures in (("held-out now", result.after), ("held-out before", result.before)):
        if figures is not None:
            click.echo(f"  {name:<16} {_line(evaluation.asdict(figures))}")


@classifier_group.command("evaluate")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled texts (JSON list of {text, code} or CSV text,item_code) read by the model in use.",
)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def evaluate(cli: CliContext, path: Path | None, as_json: bool) -> None:
    """Coverage, precision, top-1 and top-3, overall, by language and by set, and the
    precision/coverage curve: cross-validated on the labelled files, or the model in use on --file."""
    from dispatch import classifier
    from dispatch.classifier import evaluation, training

    target = cli.settings.classifier_precision_target
    with cli.db.read() as session:
        reader, _finder = classifier.for_session(session, precision_target=target)
        if path is None:
            outcomes = _cross_validated(session)
            report = evaluation.report(outcomes, precision_target=target)
            report["method"] = f"{training.FOLDS}-fold cross-validation on the labelled files"
        else:
            if reader.model is None:
                raise InvalidInput("no trained model knows this catalogue: run hotline classifier train")
            model = reader.model
            outcomes = [training.Outcome(e, reader.rank(e.text), 0) for e in training.read_labelled(path)]
            report = evaluation.report(
                outcomes,
                precision_target=target,
                cuts_for=lambda t: {0: model.calibration.margin_for(t)},
            )
            report["method"] = f"the model in use on {path.name} (texts it may have been trained on count too)"
    if as_json:
        print_json(report)
        return
    click.echo(f"{report['method']}; precision target {target:.0%}")
    for name, figures in report["groups"].items():
        click.echo(f"  {name:<28} {_line(figures)}")
    click.echo("  precision/coverage curve:")
    for point in report["curve"]:
        click.echo(
            f"    target {point['precision_target']:.0%}: coverage {point['coverage']:.1%}, "
            f"precision {point['precision']:.1%}"
        )


def _cross_validated(session: Session) -> list[Outcome]:
    from config import catalog
    from dispatch.classifier import store, training

    items = catalog.list_items(session)
    corrections = [e for _id, e in store.corrections(session)]
    return training.cross_validate(
        training.labelled_files(),
        catalogue=training.catalogue_examples(items),
        extra=corrections,
        categories={i.code: i.category.code for i in items},
    )


def _line(figures: dict[str, Any]) -> str:
    return (
        f"texts {figures['texts']:>4}  coverage {figures['coverage']:6.1%}  precision {figures['precision']:6.1%}  "
        f"top-1 {figures['top1']:6.1%}  top-3 {figures['top3']:6.1%}  "
        f"non-requests classified {figures['non_requests_classified']}/{figures['non_requests']}"
    )
