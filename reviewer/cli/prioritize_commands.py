"""Commands of prioritized review (continuous active learning) and its validation: prioritize, next, decide,
scores, validate, validation-report."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.cli.common import console, open_case, print_json, progress_bar, stdout_console, titled_table
from reviewer.core.errors import ReviewerError

if TYPE_CHECKING:
    from reviewer.core.analytics.prioritize import ReviewState
    from reviewer.core.analytics.validation import ValidationResult
    from reviewer.core.case import Case


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("prioritize", help="set a tag up for prioritized review (continuous active "
                                               "learning), or change its choices; trains its model")
    _question(p)
    p.add_argument("--seed-query", metavar="Q", help="a search whose hits start the model off")
    p.add_argument("--retrain-every", type=int, metavar="K",
                   help="retrain after every K decisions (default 20)")
    p.add_argument("--propagate", metavar="RULE",
                   help="how far one decision reaches: none (the default), families or threads")
    p.add_argument("--random-share", type=float, metavar="SHARE",
                   help="share of the queue drawn at random, 0 to 0.5 (default 0.05)")
    p.add_argument("--target-recall", type=float, metavar="SHARE",
                   help="the recall the stopping suggestion aims at (default 0.8)")
    p.add_argument("--seed", type=int, help="the seed of every random choice of the review (default: drawn)")
    p.add_argument("--no-train", action="store_true", help="record the choices without training now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_prioritize)

    p = commands.add_parser("next", help="the next documents to review for a prioritized tag, best first")
    _question(p)
    p.add_argument("--count", type=int, default=1, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_next)

    p = commands.add_parser("decide", help="decide documents relevant (--yes) or not relevant (--no) for a "
                                           "prioritized tag; retrains when due")
    _question(p)
    answer = p.add_mutually_exclusive_group(required=True)
    answer.add_argument("--yes", action="store_true", help="relevant: the tag goes on")
    answer.add_argument("--no", action="store_true", help="not relevant: recorded as reviewed, tag off")
    p.add_argument("controls", nargs="+", metavar="CONTROL")
    p.add_argument("--no-retrain", action="store_true", help="do not retrain now even when it is due")
    p.set_defaults(run=cmd_decide)

    p = commands.add_parser("scores", help="every document's score (0-100) for a prioritized tag, best "
                                           "first, with the review's progress and a stopping suggestion")
    _question(p)
    p.add_argument("--limit", type=int, metavar="N", help="only the N best")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_scores)

    p = commands.add_parser("validate", help="draw a random sample of the unreviewed documents of a "
                                             "prioritized tag, to decide blind (the elusion test)")
    _question(p)
    p.add_argument("--sample", type=int, metavar="N", help="how many families (top-level documents) to draw")
    p.add_argument("--confidence", type=float, metavar="PERCENT",
                   help="with --margin: the size for this confidence, e.g. 95")
    p.add_argument("--margin", type=float, metavar="PERCENT", help="margin of error, e.g. 5")
    p.add_argument("--seed", type=int, help="the seed of the draw (default: drawn and recorded)")
    p.add_argument("--abandon", action="store_true", help="abandon the sample being decided (kept on record)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_validate)

    p = commands.add_parser("validation-report", help="the validation's report: elusion and estimated recall "
                                                      "with 95%% exact intervals, as DOCX or PDF plus JSON")
    _question(p)
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.docx or FILE.pdf; FILE.json beside it")
    p.add_argument("--round", type=int, metavar="N", help="which validation sample (default: the newest)")
    p.add_argument("--json", action="store_true", help="also print the figures as JSON")
    p.set_defaults(run=cmd_validation_report)


def _question(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case")
    parser.add_argument("--tag", required=True, metavar="T", help='the review question, e.g. "Responsive"')


def cmd_prioritize(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from reviewer.core.analytics import prioritize

    choices = prioritize.QuestionChoices(
        retrain_every=args.retrain_every, seed_query=args.seed_query,
        propagate=None if args.propagate is None else "" if args.propagate == "none" else args.propagate,
        random_share=args.random_share, target_recall=args.target_recall, seed=args.seed)
    with open_case(args.case) as case:
        current = prioritize.set_up(case, args.tag, choices)
        if not args.no_train and current.validating is None and (current.relevant or current.seed_query):
            _train(case, args.tag)
        current = prioritize.state(case, args.tag)
    if args.json:
        print_json({**asdict(current), "reviewed": current.reviewed, "retrain_due": current.retrain_due})
    else:
        _print_state(current)
    return 0


def _train(case: Case, tag: str) -> None:
    from reviewer.core.analytics.training import retrain

    with progress_bar("training") as (progress, cancel):
        model = retrain(case, tag, progress, cancel)
    console.print(f"Trained model version {model.version} on {model.decisions:,} decisions "
                  f"({model.positives:,} relevant"
                  + (f", {model.seed_positives:,} seed-search hits" if model.seed_positives else "")
                  + f", {model.presumed_negatives:,} random documents presumed not relevant) and scored "
                  f"{model.scored:,} documents in {model.seconds:.1f} s.", highlight=False)


def _print_state(state: ReviewState) -> None:
    table = titled_table(f'Prioritized review of "{state.tag}"', ("", ""))
    trained = (f"version {state.model_version}, {state.trained:%Y-%m-%d %H:%M} UTC" if state.trained
               else "not yet (needs a relevant decision or a seed search)")
    rows = [
        ("documents under review", f"{state.population:,}"),
        ("decisions", f"{state.reviewed:,} ({state.relevant:,} relevant, "
                      f"{state.not_relevant:,} not relevant)"),
        ("unreviewed", f"{state.unreviewed:,}"),
        ("model", trained),
        ("decisions since training",
         f"{state.decisions_since_training:,} (retrain every {state.retrain_every})"),
        ("seed search", state.seed_query or "none"),
        ("decisions propagate to", state.propagate or "nothing"),
        ("random share of the queue", f"{state.random_share:.0%}"),
        ("target recall", f"{state.target_recall:.0%}"),
        ("seed", str(state.seed)),
    ]
    if state.validating is not None:
        rows.append(("validation", f"sample {state.validating} is being decided (blind)"))
    for label, value in rows:
        table.add_row(label, value)
    stdout_console.print(table)


def cmd_next(args: argparse.Namespace) -> int:
    from reviewer.core.analytics import prioritize

    if args.count < 1:
        raise ReviewerError("--count is at least 1.")
    with open_case(args.case) as case:
        queue = prioritize.next_documents(case, args.tag, args.count)
    if args.json:
        print_json({"documents": [{"control": item.control, "score": item.score, "random": item.random}
                                  for item in queue.items],
                    "validating": queue.validating})
        return 0
    if queue.validating is not None:
        console.print(f"Validation sample {queue.validating} is being decided: scores are hidden.",
                      highlight=False)
    if not queue.items:
        console.print("Nothing left to review.")
        return 0
    table = titled_table(f'Next for "{args.tag}"', ("document", "score", ""))
    for item in queue.items:
        score = "" if item.score is None else f"{item.score:.0f}"
        table.add_row(item.control, score, "drawn at random" if item.random else "")
    stdout_console.print(table)
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    from reviewer.core import review
    from reviewer.core.analytics import prioritize
    from reviewer.core.audit import n_documents

    with open_case(args.case) as case:
        ids = review.resolve_controls(case, args.controls)
        decided = prioritize.decide(case, args.tag, ids, relevant=args.yes)
        answer = "relevant" if args.yes else "not relevant"
        families = f" (of {decided.documents:,} with their families)" if decided.documents > len(ids) else ""
        console.print(f'Decided {n_documents(decided.changed)} {answer} for "{decided.tag}"{families}.',
                      highlight=False)
        if not args.no_retrain and prioritize.state(case, args.tag).retrain_due:
            _train(case, args.tag)
    return 0


def cmd_scores(args: argparse.Namespace) -> int:
    from reviewer.core.analytics import prioritize

    with open_case(args.case) as case:
        scored = prioritize.scores(case, args.tag)[:args.limit]
        progress = prioritize.review_progress(case, args.tag)
    richness = progress.richness
    summary = {
        "reviewed": progress.state.reviewed, "found": progress.state.relevant,
        "population": progress.state.population, "model_version": progress.state.model_version,
        "richness": None if richness is None else {"share": richness.share, "relevant": richness.relevant,
                                                    "low": richness.low, "high": richness.high,
                                                    "draws": richness.draws},
        "suggestion": {"stop": progress.suggestion.stop, "basis": progress.suggestion.basis},
    }
    if args.json:
        print_json({**summary, "documents": [{"control": s.control, "score": s.score, "decision": s.decision}
                                             for s in scored]})
        return 0
    table = titled_table(f'Scores for "{args.tag}"', ("document", "score", "decision"))
    for row in scored:
        table.add_row(row.control, f"{row.score:.1f}", row.decision)
    stdout_console.print(table)
    estimate = ("not estimated yet" if richness is None else
                f"{richness.share:.1%} (about {richness.relevant:,.0f} relevant documents, "
                f"from {richness.draws} documents served at random)")
    state = progress.state
    console.print(f"{state.relevant:,} relevant found in {state.reviewed:,} reviewed of "
                  f"{state.population:,}; estimated richness {estimate}.\n{progress.suggestion.basis}",
                  highlight=False)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from reviewer.core.analytics import validation

    with open_case(args.case) as case:
        if args.abandon:
            number = validation.abandon(case, args.tag)
            console.print(f"Abandoned validation sample {number} (it stays on record).", highlight=False)
            return 0
        if args.sample is None and (args.confidence is None or args.margin is None):
            raise ReviewerError("Give --sample N, or --confidence and --margin "
                                "(e.g. --confidence 95 --margin 5).")
        if args.sample is not None and (args.confidence is not None or args.margin is not None):
            raise ReviewerError("Give --sample N or --confidence and --margin, not both.")
        drawn = validation.draw(
            case, args.tag, families=args.sample,
            confidence=None if args.confidence is None else _fraction(args.confidence, "--confidence"),
            margin=None if args.margin is None else _fraction(args.margin, "--margin"), seed=args.seed)
    if args.json:
        print_json(drawn.as_json())
        return 0
    console.print(f"Drew validation sample {drawn.number}: {drawn.sample:,} documents in {drawn.families:,} "
                  f"families of the {drawn.discard:,} unreviewed documents (seed {drawn.seed}). Decide them "
                  f'with `reviewer next … --tag "{drawn.tag}"` and `reviewer decide`; scores stay hidden '
                  "until the sample is decided.", highlight=False)
    return 0


def _fraction(percent: float, option: str) -> float:
    if not 0 < percent < 100:
        raise ReviewerError(f"{option} is a percentage between 0 and 100, e.g. 95.")
    return percent / 100


def cmd_validation_report(args: argparse.Namespace) -> int:
    from reviewer.core.analytics import validation
    from reviewer.core.analytics.validation_report import write_report

    with open_case(args.case) as case:
        result = validation.result(case, args.tag, args.round)
        figures = write_report(result, Path(args.out), case.name)
    if args.json:
        print_json(result.as_json())
    _print_result(result, Path(args.out), figures)
    return 0


def _print_result(result: ValidationResult, out: Path, figures: Path) -> None:
    def share(value: float | None) -> str:
        return "not defined" if value is None else f"{value:.1%}"

    console.print(
        f"Validation sample {result.number} of \"{result.tag}\": {result.sample_relevant:,} relevant in "
        f"{result.sample:,}; elusion {share(result.elusion.estimate)} ({share(result.elusion.low)}–"
        f"{share(result.elusion.high)}); estimated recall {share(result.recall.estimate)} "
        f"({share(result.recall.low)}–{share(result.recall.high)}, 95% exact). Wrote {out} and {figures}.",
        highlight=False)
