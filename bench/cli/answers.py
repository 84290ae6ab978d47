"""The commands that turn results files into answers: recommend, compare, plot, report.

Each imports the answer side only inside itself, so the measuring side never imports
matplotlib or scipy. Bad input ends as one line and exit code 2 (``ResultsError``/``UsageError``).
"""
from __future__ import annotations

import json
import os

from bench.cli import options
from bench.texts import messages

COMMANDS = {
    "recommend": "what to use for each workload: strategy, workers, memory ceiling, scaling model "
                 "(--cpus N: predicted for another machine; --code: the pick as Python)",
    "compare": "two or more results files (machines, runs): their answers side by side, per "
               "workload and image size (--by case: case by case)",
    "plot": "draw the charts (PNG and SVG) into plots/",
    "report": "one self-contained HTML page + Markdown: machine, recommendation, charts, table",
}


def add_parsers(sub) -> None:
    """Sub-commands of ``python -m bench`` (their own options: nothing to measure)."""
    for name, help_text in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text, allow_abbrev=False)
        if name == "compare":
            p.add_argument("results", nargs="+", metavar="RESULTS",
                           help="results files; the first is the reference")
        else:
            p.add_argument("results", nargs="*", metavar="RESULTS",
                           help="results files (default: the newest in --results-dir)")
        p.add_argument("--results-dir", default="results", metavar="DIR",
                       help="where to look for the newest results file (default: results/)")
        if name == "recommend":
            p.add_argument("--json", action="store_true", help="machine-readable output for scripts")
            what = p.add_mutually_exclusive_group()
            what.add_argument("--cpus", type=lambda t: options.positive_int(t, "--cpus", options.MAX_WORKERS),
                              metavar="N", help="predict the best worker count and throughput on a "
                              "machine with N CPUs from the scaling model (an extrapolation; refused "
                              "past twice the largest worker count measured)")
            what.add_argument("--holdout", action="store_true",
                              help="check the scaling model: fit without each configuration's largest "
                                   "worker count and predict it")
            what.add_argument("--code", action="store_true",
                              help="print each answer as a short runnable Python script (standard "
                                   "library, numpy, cv2; mediapipe for pose)")
        if name == "compare":
            p.add_argument("--by", choices=("answer", "case"), default="answer",
                           help="answer (default): each machine's pick per workload and image size; "
                                "case: the same configurations at the same worker counts")
            fmt = p.add_mutually_exclusive_group()
            fmt.add_argument("--format", choices=("text", "md", "json"), default="text",
                             help="text (default), md (Markdown for a review) or json")
            fmt.add_argument("--json", dest="format", action="store_const", const="json",
                             help="same as --format json")
            p.add_argument("--no-chart", dest="chart", action="store_false",
                           help="do not draw the comparison chart")
        if name != "recommend":
            p.add_argument("--plots-dir", default="plots", metavar="DIR",
                           help="where charts and reports go (default: plots/)")
        if name == "report":
            p.add_argument("--csv", nargs="?", const="", default=None, metavar="PATH",
                           help="also write the flat table as CSV (default path: "
                                "PLOTS_DIR/<results>.csv)")


def _load(args):
    from bench.analysis.load import load

    return load(args.results, args.results_dir)


def _plots_dir(args) -> str:
    return options.writable_dir(args.plots_dir, "plots folder")


def _chart_written(paths) -> str:
    png, svg = paths
    return messages.CHART_WRITTEN.format(png=png, svg=os.path.basename(svg))


def _echo_charts(charts, out=print) -> None:
    for name, paths in charts.files.items():
        out(_chart_written(paths))
    for name, why in charts.skipped.items():
        out("chart " + messages.CHART_NOT_DRAWN.format(chart=name, why=why))


def cmd_recommend(args) -> int:
    from bench.analysis import recommend
    from bench.output import recommendation

    analyses = _load(args)
    if args.cpus is not None:
        return _predict(analyses, args)
    if args.holdout:
        return _holdout(analyses, args)
    items = [(a, recommend.recommend(a)) for a in analyses]
    if args.code:
        return _code(items)
    return _answer(args.json, "recommendations", items, recommendation.to_json,
                   recommendation.render_text)


def _answer(as_json: bool, key: str, items, to_json, render) -> int:
    """Each item's answer: as JSON under ``key``, or as text, a blank line between."""
    if as_json:
        print(json.dumps({key: [to_json(*item) for item in items]}, indent=1, default=str))
    else:
        print("\n\n".join(render(*item) for item in items))
    return 0


def _predict(analyses, args) -> int:
    from bench.analysis import extrapolate, recommend
    from bench.output import prediction

    largest = extrapolate.largest_fitted(analyses)
    if args.cpus > extrapolate.MAX_FACTOR * largest:
        raise options.UsageError(messages.CPUS_TOO_FAR.format(
            cpus=args.cpus, files=", ".join(a.path for a in analyses), largest=largest))
    out = [(a, [extrapolate.predict(ans, a.machine.cpus, args.cpus, capacity=a.machine.capacity)
                for ans in recommend.recommend(a)], args.cpus)
           for a in analyses]
    return _answer(args.json, "predictions", out, prediction.predictions_json,
                   prediction.render_predictions)


def _holdout(analyses, args) -> int:
    from bench.analysis import extrapolate
    from bench.output import prediction

    helds = [(a, extrapolate.holdout(a)) for a in analyses]
    out = [(a, held, extrapolate.summarise(held)) for a, held in helds]
    return _answer(args.json, "holdout", out, prediction.holdout_json, prediction.render_holdout)


def _code(items) -> int:
    from bench.output import snippets

    blocks = []
    for a, answers in items:
        for ans in answers:
            code, note = snippets.snippet(ans, a.machine, a.path)
            head = [messages.SNIPPET_FOR.format(title=ans.group.title, path=a.path)]
            if note:
                head.append(messages.SNIPPET_NOTE.format(text=note))
            blocks.append("\n".join(head) + ("\n" + code if code else "\n"))
    print("\n\n".join(blocks), end="")
    return 0


def cmd_compare(args) -> int:
    if len(args.results) < 2:
        raise options.UsageError(messages.COMPARE_NEEDS_TWO)
    from bench.analysis import compare

    analyses = _load(args)
    comparison = compare.compare(analyses)
    charts = None
    if args.chart:
        from bench.output import charts as plots

        charts = plots.draw_compare(comparison, _plots_dir(args))
    if args.by == "case":
        from bench.analysis.compare_cases import compare_cases
        from bench.output import comparison_cases as worded

        cases = compare_cases(analyses)
        if args.format == "json":
            print(json.dumps(dict(worded.to_json(cases), charts=charts or {}), indent=1, default=str))
        elif args.format == "md":
            print(worded.render_markdown(cases), end="")
        else:
            print(worded.render_text(cases))
    else:
        from bench.output import comparison as worded

        if args.format == "json":
            print(json.dumps(worded.to_json(comparison, charts), indent=1, default=str))
        elif args.format == "md":
            # paths relative to where the user stands, for pasting next to the charts
            rel = {w: os.path.relpath(paths[0]) for w, paths in (charts or {}).items()}
            print(worded.render_markdown(comparison, rel), end="")
        else:
            print(worded.render_text(comparison))
    if charts and args.format == "text":
        for paths in charts.values():
            print(_chart_written(paths))
    return 0


def draw_file(a, out_dir: str, answers=None):
    """All charts of one analysed file, with the recommended configuration's model."""
    from bench.output import charts as plots
    from bench.analysis import recommend

    answers = recommend.recommend(a) if answers is None else answers
    return plots.draw(a, out_dir, recommend.model_overlays(answers), answers)


def cmd_plot(args) -> int:
    analyses = _load(args)
    out_dir = _plots_dir(args)
    for a in analyses:
        _echo_charts(draw_file(a, out_dir))
    if len(analyses) > 1:
        from bench.analysis import compare
        from bench.output import charts as plots

        for paths in plots.draw_compare(compare.compare(analyses), out_dir).values():
            print(_chart_written(paths))
    return 0


def cmd_report(args) -> int:
    from bench.analysis import compare
    from bench.analysis import recommend
    from bench.output import report

    if args.csv and not args.csv.endswith(".csv"):
        # `report --csv results/a.json` would otherwise overwrite the results file
        raise options.UsageError(messages.CSV_PATH_NOT_CSV.format(path=args.csv))
    analyses = _load(args)
    out_dir = _plots_dir(args)
    items = []
    for a in analyses:
        answers = recommend.recommend(a)
        items.append((a, answers, draw_file(a, out_dir, answers)))
    comparison = compare_charts = None
    if len(analyses) > 1:
        from bench.output import charts as plots

        comparison = compare.compare(analyses)
        compare_charts = plots.draw_compare(comparison, out_dir)
    name = report.report_name(analyses)
    html_path = os.path.join(out_dir, name + ".html")
    md_path = os.path.join(out_dir, name + ".md")
    try:
        with open(html_path, "w", encoding="utf-8") as fh:
            fh.write(report.render_html(items, comparison, compare_charts))
        with open(md_path, "w", encoding="utf-8") as fh:
            fh.write(report.render_markdown(items, out_dir, comparison, compare_charts))
        print(messages.REPORT_WRITTEN.format(path=html_path))
        print(messages.REPORT_WRITTEN.format(path=md_path))
        if args.csv is not None:
            csv_path = args.csv or os.path.join(out_dir, f"{name.removesuffix('-report')}.csv")
            print(messages.TABLE_WRITTEN.format(path=report.write_csv(analyses, csv_path)))
    except OSError as exc:
        raise options.UsageError(messages.CANNOT_WRITE.format(path=exc.filename, error=exc.strerror)) from None
    return 0


HANDLERS = {"recommend": cmd_recommend, "compare": cmd_compare, "plot": cmd_plot,
            "report": cmd_report}


def end_of_run(results, echo, plots_dir: str = "plots") -> None:
    """What ``bench all`` prints after its summary: the recommendation, then the charts. The
    results file is already saved: a problem here is one line, never another exit code."""
    from bench.analysis import recommend
    from bench.analysis.load import analyse
    from bench.output import recommendation

    if not results.benchmarks:
        return
    try:
        a = analyse(results)
        answers = recommend.recommend(a)
        echo(recommendation.render_text(a, answers))
        echo()
        charts = draw_file(a, options.writable_dir(plots_dir, "plots folder"), answers)
        _echo_charts(charts, echo)
    except Exception as exc:  # noqa: BLE001 - a long run must not end in a traceback here
        echo(messages.ANSWERS_NOT_PRODUCED.format(error=f"{type(exc).__name__}: {exc}"))
