"""The ``kit`` command: argument parsing only; the work is done in the kit's modules.

kit report [--config FILE ...] [--scope NAME ...] [--wave W] [--jobs N | --cluster ADDRESS]
           [--format html,pdf,pptx]
kit validate [DATA_DIR | engagement.yaml]
kit workshop [--config FILE] [--port N] [--wave W]
kit sample [FOLDER]
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from kit.config import SAMPLE_CONFIG, SAMPLE_DIR
from kit.errors import KitError

__all__ = ["main"]


DESCRIPTION = """\
Turns a client's internal survey and stakeholder data (an engagement.yaml beside its CSV
tables) into client-ready report packs, one per function and one for the whole organisation,
after checking the data; exports the follow-up workbook, imports survey exports and serves the
workshop tools. Everything runs on this machine: nothing is sent anywhere. Without --config a
command works on the fictional sample client (data/sample)."""

#: Examples per command, shown under its --help (and the first of each under kit --help).
EXAMPLES = {
    "report": [
        ("kit report --config clients/acme/engagement.yaml", "every pack: HTML and PDF"),
        ("kit report --scope Regulatory --format html,pdf,pptx", "one function, with its deck"),
        ("kit report --jobs 1 --out /tmp/packs", "one scope at a time, elsewhere"),
        (
            "kit report --config a/engagement.yaml --config b/engagement.yaml "
            "--cluster tcp://10.0.0.5:8786 --out /shared/reports",
            "two clients on a Dask cluster",
        ),
    ],
    "validate": [
        ("kit validate clients/acme/engagement.yaml", "every problem, with file and row"),
        ("kit validate clients/acme", "a data folder (its engagement.yaml)"),
    ],
    "plan": [
        ("kit plan export --scope Regulatory --out regulatory-plan.xlsx", "queue + plan"),
        ("kit plan import regulatory-plan.xlsx", "the edits, as followups.v2.csv"),
    ],
    "import": [
        ("kit import export.csv --suggest > clients/acme/mapping.yaml", "a mapping to check"),
        (
            "kit import export.csv --mapping clients/acme/mapping.yaml "
            "-o clients/acme/responses.csv",
            "",
        ),
    ],
    "workshop": [
        ("kit workshop --config clients/acme/engagement.yaml", "http://127.0.0.1:8866/"),
        ("kit workshop --wave 2025-H2 --min-group-size 8", "an earlier wave, stricter"),
    ],
    "audit": [
        ("kit audit --config clients/acme/engagement.yaml", "what the packs publish"),
        ("kit audit --detail scores --out ranges.csv", "ranges saved (confidential)"),
    ],
    "sample": [
        ("kit sample /tmp/helix", "the sample's tables, regenerated (seed 2026)"),
        ("kit sample /tmp/helix-x16 --scale 16", "a client 16 times the sample, 48 functions"),
    ],
}


class _Help(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples kept as written; each option's default said once."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        shown = action.default not in (None, False, argparse.SUPPRESS) and (
            action.option_strings or action.nargs in ("?", "*")
        )
        if "default" in text or not shown:
            return text
        sample = action.default in (str(SAMPLE_CONFIG), str(SAMPLE_DIR))
        return f"{text} (default: {'the sample client' if sample else '%(default)s'})"


def _examples(commands: dict[str, list[tuple[str, str]]]) -> str:
    lines = [
        f"  {cmd}" if not what else f"  {cmd}\n      {what}"
        for examples in commands.values()
        for cmd, what in examples
    ]
    return "examples:\n" + "\n".join(lines)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kit")
    except PackageNotFoundError:  # run from a clone that was never installed
        from kit import __version__

        return __version__


def _with_help(parser: argparse.ArgumentParser, name: str = "") -> argparse.ArgumentParser:
    """Every (sub)command: defaults shown, and its examples under its options."""
    parser.formatter_class = _Help
    if name in EXAMPLES:
        parser.epilog = _examples({name: EXAMPLES[name]})
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            said = {a.dest: a.help for a in action._choices_actions}
            for sub_name, sub in action.choices.items():
                sub.description = (
                    sub.description or f"{said[sub_name][0].upper()}{said[sub_name][1:]}."
                )
                _with_help(sub, name or sub_name)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kit",
        description=DESCRIPTION,
        epilog=_examples({k: v[:1] for k, v in EXAMPLES.items()})
        + "\n\n`kit COMMAND --help`: a command's options and more examples.",
    )
    parser.add_argument("--version", action="version", version=f"kit {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    rep = sub.add_parser(
        "report", help="build the HTML/PDF report packs and PowerPoint decks, one per scope"
    )
    rep.add_argument(
        "--config",
        action="append",
        metavar="FILE",
        help="engagement.yaml; repeat for several engagements in one call, each into its own "
        "reports folder, sharing the workers (default: the sample)",
    )
    rep.add_argument(
        "--scope",
        action="append",
        metavar="NAME",
        help="a function or 'Organisation'; repeat for several (default: all)",
    )
    rep.add_argument("--wave", help="the survey wave (default: current_wave in the config)")
    rep.add_argument("--jobs", type=int, default=None, help="scopes run at once (default: cores)")
    rep.add_argument(
        "--format",
        default="html,pdf",
        help="what to write per scope, comma-separated: html, pdf and pptx (the editable "
        "PowerPoint deck); default: html,pdf",
    )
    rep.add_argument("--out", default=None, help="reports folder (default: reports/)")
    rep.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run the scopes on a Dask cluster: a scheduler's address (tcp://HOST:8786), or "
        "local:N for N worker processes here; the data, the notebooks and --out must be on a "
        "folder every worker sees (default: this machine's processes, --jobs)",
    )
    rep.add_argument("--timeout", type=int, default=600, help="seconds a notebook cell may run")
    rep.add_argument(
        "--start-timeout",
        type=int,
        default=60,
        help="seconds a kernel may take to start (one more try if it does not)",
    )
    rep.add_argument("--notebooks", default=None, help="folder of customised stage notebooks")
    rep.add_argument(
        "--quiet",
        action="store_true",
        help="no progress (shown on stderr: a bar on a terminal, a line per pack otherwise)",
    )
    rep.add_argument(
        "--clean-staging",
        action="store_true",
        help="only remove the unfinished packs a killed batch left behind, then stop "
        "(every batch also does this first)",
    )

    val = sub.add_parser("validate", help="check a data folder and list every problem")
    val.add_argument(
        "source",
        nargs="?",
        default=str(SAMPLE_CONFIG),
        help="engagement.yaml or a data folder (default: the sample)",
    )
    val.add_argument(
        "--out",
        default=None,
        help="where to save the problems as CSV when there are any (default: "
        "validation-problems.csv in the data folder)",
    )

    plan = sub.add_parser(
        "plan", help="follow-up workbook: export the queue and action plan, import the edits"
    )
    plan_sub = plan.add_subparsers(dest="action", required=True)
    exp = plan_sub.add_parser("export", help="write the follow-up workbook (xlsx and csv)")
    exp.add_argument("--config", default=str(SAMPLE_CONFIG), help="engagement.yaml")
    exp.add_argument("--scope", default="Organisation", help="a function, or Organisation")
    exp.add_argument("--wave", default="", help="survey wave (default: the current one)")
    exp.add_argument("--out", required=True, help="the workbook to write, e.g. plan.xlsx")
    imp = plan_sub.add_parser("import", help="read an edited workbook into a new follow-up log")
    imp.add_argument("workbook", help="the edited workbook")
    imp.add_argument("--config", default=str(SAMPLE_CONFIG), help="engagement.yaml")

    imp_ = sub.add_parser("import", help="turn a survey export into the kit's responses table")
    imp_.add_argument(
        "file",
        nargs="+",
        help="the export(s): Qualtrics, SurveyMonkey, Forms, Snap, CSV/Excel; several files of "
        "one survey are appended (one mapping), each row's source_file recorded",
    )
    imp_.add_argument("--mapping", help="the YAML mapping of its columns")
    imp_.add_argument(
        "-o",
        "--out",
        help="the responses CSV to write (must not exist); comments.csv (a matrix export's "
        "general comments) and roster.csv (contact_name/contact_email mapped) go beside it",
    )
    imp_.add_argument("--sheet", help="the Excel sheet (default: the first)")
    imp_.add_argument("--suggest", action="store_true", help="print a starting mapping")

    reg = sub.add_parser(
        "import-register",
        help="turn a stakeholder register typed in Excel into the kit's stakeholders table",
        epilog="examples:\n"
        "  kit import-register register.xlsx --suggest > clients/acme/register.yaml\n"
        "      a mapping to check: which column holds which field\n"
        "  kit import-register register.xlsx --mapping clients/acme/register.yaml \\\n"
        "      --config clients/acme/engagement.yaml -o clients/acme/stakeholders.csv\n"
        "      names resolved to ids, labels through influence_labels, every problem listed",
    )
    reg.add_argument("file", help="the register: .xlsx or .csv, title rows above the header")
    reg.add_argument(
        "--mapping",
        help="the YAML mapping of its columns (default: the header's names, when they say "
        "every field the kit needs)",
    )
    reg.add_argument("-o", "--out", help="the stakeholders CSV to write (must not exist)")
    reg.add_argument("--sheet", help="the Excel sheet (default: the first)")
    reg.add_argument(
        "--config",
        help="engagement.yaml: its influence_labels and functions.csv are used (default: "
        "labels low, medium, high, very high; functions as typed)",
    )
    reg.add_argument("--suggest", action="store_true", help="print a starting mapping")

    ws = sub.add_parser("workshop", help="serve the workshop widgets with Voilà on this machine")
    ws.add_argument(
        "--config", default=str(SAMPLE_CONFIG), help="engagement.yaml (default: sample)"
    )
    ws.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default: 8866)")
    ws.add_argument("--wave", default="", help="the wave to open on (default: the current one)")
    ws.add_argument("--min-group-size", type=int, default=0, help="a stricter anonymity threshold")

    aud = sub.add_parser(
        "audit", help="check that no withheld figure can be worked out from what is shown"
    )
    aud.add_argument(
        "--config", default=str(SAMPLE_CONFIG), help="engagement.yaml (default: sample)"
    )
    aud.add_argument(
        "--detail",
        choices=("published", "scores", "categories"),
        default="published",
        help="what each shown total is taken to publish: what the packs and the workshop "
        "show (published: 0-10 answers of each function's score and the organisation's, "
        "detractors, passives and promoters of customer groups), every total's 0-10 answers "
        "(scores) or every total's three categories only (categories); default: %(default)s",
    )
    aud.add_argument(
        "--out",
        default=None,
        help="also save every withheld figure's range as CSV (confidential: true counts)",
    )
    aud.add_argument(
        "--exact",
        action="store_true",
        help="solve every range to its true ends (slower); by default a range is solved only "
        "where a verdict depends on it, and one that decides nothing is one that tables which "
        "fit reach (the verdicts are the same either way)",
    )

    smp = sub.add_parser("sample", help="regenerate the fictional sample client's data")
    smp.add_argument("folder", nargs="?", default=str(SAMPLE_DIR), help="where to write it")
    smp.add_argument("--seed", type=int, default=2026, help="the random seed")
    smp.add_argument(
        "--scale",
        type=int,
        default=1,
        choices=(1, 4, 16, 64),
        metavar="N",
        help="N times the sample's data (1, 4, 16 or 64): from 4, regional copies of the "
        "organisation (24 functions at x4, 48 from x16) with the same planted findings; a "
        "folder without engagement.yaml gets the sample's",
    )
    return _with_help(parser)


def _report(args: argparse.Namespace) -> int:
    from kit.config import NOTEBOOKS_DIR, load_engagement
    from kit.report import (
        audit_line,
        batch_lock,
        clean_staging,
        output_root,
        run_batches,
    )

    configs = args.config or [str(SAMPLE_CONFIG)]
    if args.clean_staging:
        for config in configs:
            cfg = load_engagement(config)
            root = output_root(cfg, args.wave or cfg.current_wave, args.out)
            with batch_lock(root):
                removed = clean_staging(root)
            print(f"{len(removed)} unfinished pack folder(s) removed from {root}.")
        return 0

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped like Ctrl-C
    try:
        batches = run_batches(
            configs,
            scopes=args.scope,
            wave=args.wave,
            jobs=args.jobs,
            formats=formats,
            reports_dir=args.out,
            timeout_s=args.timeout,
            start_timeout_s=args.start_timeout,
            progress=not args.quiet,
            notebooks_dir=args.notebooks or NOTEBOOKS_DIR,
            cluster=args.cluster,
        )
    except KeyboardInterrupt:
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # the browser's driver, cut off
        print(
            "kit report: stopped. Packs finished before now are in place; no partial pack was "
            "left. Run it again to make the others.",
            file=sys.stderr,
        )
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    failed = 0
    for i, (config, results) in enumerate(zip(configs, batches, strict=True)):
        if len(configs) > 1:
            print(("\n" if i else "") + f"== {config}")
        failed += _report_summary(results, audit_line)
    if failed:
        print(f"{failed} scope(s) did not finish: see the table above.", file=sys.stderr)
    return 1 if failed else 0


def _report_summary(results, audit_line) -> int:
    """Print one engagement's batch; return how many of its scopes did not finish."""
    from kit.report import summary_table

    print(summary_table(results))
    decks = [r.timings["deck"] for r in results if "deck" in r.timings]
    if decks:
        print(
            f"Decks (pack.pptx): {sum(decks) / len(decks):.1f} s per scope on average, "
            f"{max(decks):.1f} s at most."
        )
    print(audit_line(results.audit))
    done = [r for r in results if r.status == "ok"]
    if done:
        print(f"\n{len(done)} pack(s) in {Path(done[0].folder).parent}")
    return len([r for r in results if r.status not in ("ok", "withheld")])


def _validate(args: argparse.Namespace) -> int:
    from kit.config import load_engagement
    from kit.data import grouped, grouped_lines, problems_table, validate

    source = Path(args.source)
    if not source.exists():
        raise KitError(f"{source}: no such file or folder; give engagement.yaml or the data folder")
    target = load_engagement(source) if source.is_file() else source
    _, problems = validate(target)
    notes = [p for p in problems if p.severity == "note"]
    problems = [p for p in problems if p.severity != "note"]
    if notes:  # optional data absent: what the packs will do without it
        print("Notes (optional data absent):")
        print(
            "\n".join(f"  - {p.file}{'' if p.column is None else ':'} {p.message}" for p in notes)
        )
    if not problems:
        print(f"{args.source}: no problems found.")
        return 0
    from kit.workbook import neutralise

    folder = target.data_dir if hasattr(target, "data_dir") else source
    out = Path(args.out) if args.out else folder / "validation-problems.csv"
    for severity, title in (("error", "Errors"), ("warning", "Warnings")):
        lines = grouped_lines([p for p in problems if p.severity == severity])
        if lines:  # each distinct problem once, with its count and rows
            print(f"{title}:")
            print("\n".join(lines[:50]))
            if len(lines) > 50:
                print(f"  ... and {len(lines) - 50} more kinds (all in {out})")
    table = problems_table(problems)
    inert = {c: {v: neutralise(v) for v in table[c].unique()} for c in table.columns}
    table.assign(**{c: table[c].map(m) for c, m in inert.items()}).to_csv(out, index=False)
    # (values may be formulas: made inert, each distinct value once)
    errors = int((table["severity"] == "error").sum())
    print(
        f"\n{errors} error(s), {len(table) - errors} warning(s), of {len(grouped(problems))} "
        f"kind(s); every one, a row each, saved to {out}."
    )
    return 1 if errors else 0


def _plan(args: argparse.Namespace) -> int:
    from kit import workbook
    from kit.context import open_engagement
    from kit.findings import follow_up

    if args.action == "export":
        ctx = open_engagement(args.config, scope=args.scope, wave=args.wave)
        out = Path(args.out)
        if out.exists():
            raise FileExistsError(f"{out} exists; choose a new name (nothing is overwritten)")
        files = workbook.export(out, follow_up.queue(ctx), follow_up.plan(ctx), ctx.ds)
        print("Confidential working files (names and comments; keep them out of client packs):")
        print("\n".join(f"  {f}" for f in files))
        return 0
    ctx = open_engagement(args.config)
    log = workbook.read_log(args.workbook, ctx.ds, sla_days=ctx.cfg.followup_sla_days)
    out = workbook.write_log_version(log, ctx.cfg.data_dir)
    print(f"{len(log)} follow-ups written to {out} (the previous log is kept as it was).")
    return 0


def _import(args: argparse.Namespace) -> int:
    from kit import importers

    mapping = importers.load_mapping(args.mapping) if args.mapping else {}
    paths = [Path(f) for f in args.file]
    how = {
        "sheet": args.sheet,
        "encoding": mapping.get("encoding"),
        "delimiter": mapping.get("delimiter"),
    }
    if args.suggest:
        export = importers.read_export(paths[0], **how)
        print(importers.suggest_mapping(export, files=len(paths)), end="")
        return 0
    if not args.mapping or not args.out:
        raise KitError("give --mapping MAPPING.yaml and -o responses.csv (or --suggest)")
    files = importers.import_files(args.out)
    _new(files.responses)
    exports = importers.read_exports(paths, **how)
    files.problems.unlink(missing_ok=True)  # a list left by an earlier failed import of this file
    got = importers.import_exports(exports, mapping, problems_file=files.problems)
    for _, path in importers.tables_to_write(got, files):
        _new(path)
    importers.write_import(got, files)
    print("\n".join(importers.import_summary(got, files)))
    return 0


def _import_register(args: argparse.Namespace) -> int:
    from kit import registers

    mapping = registers.load_mapping(args.mapping) if args.mapping else None
    register = registers.read_register(args.file, sheet=args.sheet, mapping=mapping)
    if args.suggest:
        print(registers.suggest_mapping(register), end="")
        return 0
    if not args.out:
        raise KitError("give -o stakeholders.csv (or --suggest to see a starting mapping)")
    _new(Path(args.out))
    labels, functions = registers.DEFAULT_LABELS, None
    if args.config:
        from kit.config import load_engagement
        from kit.data import table_path

        cfg = load_engagement(args.config)
        labels = cfg.influence_labels
        functions_csv = table_path(cfg.data_dir, "functions")
        if functions_csv.is_file():  # its own problems are kit validate's to list
            import pandas as pd

            known = pd.read_csv(functions_csv, dtype=str, encoding="utf-8-sig")
            if "function" in known.columns:
                functions = [f.strip() for f in known["function"].dropna()]
    table, log = registers.to_stakeholders(
        register,
        mapping or registers.auto_mapping(register),
        labels=labels,
        functions=functions,
    )
    log_path = registers.write(table, log, args.out)
    resolved = ", ".join(f"{n} in {f}" for f, n in log["names_resolved"].items()) or "none"
    print(
        f"{log['stakeholders_written']} stakeholder(s) written to {args.out} from "
        f"{log['rows_read']} row(s) under the header on line {log['header_line']} "
        f"({log['blank_rows_skipped']} blank skipped); ids {log['ids']}; names resolved to "
        f"ids: {resolved} (log: {log_path})."
    )
    for f, lines in log["filled_down"].items():
        print(
            f"{f}: {len(lines)} blank cell(s) given the value above them "
            f"({'line' if len(lines) == 1 else 'lines'} {registers.line_ranges(lines)})."
        )
    for name, lines in log["names_on_several_lines"].items():
        print(f"{name!r} is on lines {', '.join(map(str, lines))}: two people, or one twice?")
    unmapped = [f for f in ("power", "legitimacy", "urgency") if f not in log["columns"]]
    if unmapped:
        print(f"Not in the register: {', '.join(unmapped)} (the salience section is left out).")
    from kit.data import table_path

    read = table_path(Path(args.out).parent, "stakeholders")
    if Path(args.out).name == "stakeholders.csv" and read.name != "stakeholders.csv":
        print(f"Note: the kit reads {read.name} in that folder (a later version), not this file.")
    return 0


def _workshop(args: argparse.Namespace) -> int:
    from kit.serve import serve

    return serve(args.config, port=args.port, wave=args.wave, min_group_size=args.min_group_size)


def _audit(args: argparse.Namespace) -> int:
    import time

    from kit import audit
    from kit.context import open_engagement

    started = time.perf_counter()
    ledger = open_engagement(args.config).ledger
    result = ledger.audit(detail=args.detail, exact=args.exact)
    seconds = time.perf_counter() - started
    s = audit.summary(result)
    pinned = result[result["pinned"]]
    if len(pinned):
        print(pinned.to_string(index=False, max_rows=40))
    if args.out:
        _new(Path(args.out))
        result.to_csv(args.out, index=False)
    print(
        f"\n{s['withheld']} withheld cells and totals in {len(ledger.waves)} waves audited in "
        f"{seconds:.1f} s ({args.detail}): {s['pinned']} given away (pinned), "
        f"{s['narrow']} with a size known within fewer than {ledger.min_n} values (narrow); "
        + (
            f"the narrowest range of a withheld n is {s['narrowest_n_range']}."
            if s["narrowest_n_range"] is not None
            else "no withheld n is bounded."
        )
        + (f" Ranges saved to {args.out} (confidential)." if args.out else "")
    )
    return 1 if len(pinned) else 0


def _sample(args: argparse.Namespace) -> int:
    from kit.sample import write

    write(Path(args.folder), seed=args.seed, scale=args.scale)
    times = f" (x{args.scale})" if args.scale != 1 else ""
    print(f"Sample data{times} written to {args.folder}")
    return 0


def _new(out: Path) -> None:
    if out.exists():
        raise KitError(f"{out} exists; choose a new name (nothing is overwritten)")
    if not out.parent.is_dir():
        raise KitError(f"{out}: the folder {out.parent} does not exist; create it first")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = {
        "report": _report,
        "validate": _validate,
        "plan": _plan,
        "import": _import,
        "import-register": _import_register,
        "workshop": _workshop,
        "sample": _sample,
        "audit": _audit,
    }[args.command]
    try:
        return command(args)
    except (KitError, OSError) as exc:  # the kit's own, and files that cannot be read
        print(f"kit {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
