"""The Typer app. Each command parses its options, calls the domain, hands the result to output, exits."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cartq import commands, lookup, output
from cartq.errors import CartqError, ExitCode

EXIT_CODES_HELP = (
    "Exit codes: 0 found (a listing with no rows too), 1 no match (suggestions on stderr), "
    "2 usage error, 3 fact base missing or invalid, 130 interrupted."
)

app = typer.Typer(
    name="cartq",
    help=(
        "Look up sourced facts about CAR-T cell therapy in China: approved products, companies, targets, "
        "indications, trials, costs and market figures. Every fact cites its source."
    ),
    epilog=EXIT_CODES_HELP,
    add_completion=True,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable shape; see 'cartq schema output').")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print rows as CSV (RFC 4180), for spreadsheets.")]
JsonlOpt = Annotated[bool, typer.Option("--jsonl", help="Print rows as JSON Lines, one object per line.")]
ChartOpt = Annotated[bool, typer.Option("--chart", help="Draw a bar chart in the terminal.")]
DataOpt = Annotated[
    Path | None,
    typer.Option("--data", metavar="PATH", help="Use this fact base instead of the shipped one (or set CARTQ_DATA)."),
]
EvidenceOpt = Annotated[
    bool,
    typer.Option("--evidence", "--sources", help="Show the quotes and sources behind each field instead."),
]


def _fmt(as_json: bool, as_csv: bool, as_jsonl: bool) -> str:
    chosen = [name for name, on in (("json", as_json), ("csv", as_csv), ("jsonl", as_jsonl)) if on]
    if len(chosen) > 1:
        raise typer.BadParameter("choose one of --json, --csv, --jsonl")
    return chosen[0] if chosen else "table"


def _exit(code: int) -> None:
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        output.write_text(commands.version_line())
        raise typer.Exit(0)


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and the fact base's date."),
    ] = None,
) -> None:
    """Run a command; with none, print a short overview."""
    if ctx.invoked_subcommand is None:
        _exit(commands.overview())


def _complete(kind: str) -> Any:
    def complete(incomplete: str) -> list[str]:
        # Reads the cache like any lookup: no validation on a Tab once the cache is built.
        try:
            return lookup.completions(commands.open_store(None), kind, incomplete)
        except CartqError:
            return []

    return complete


def _query(kind: str, metavar: str = "QUERY") -> Any:
    return typer.Argument(metavar=metavar, autocompletion=_complete(kind), show_default=False)


@app.command()
def product(
    query: Annotated[str | None, _query("product")] = None,
    evidence: EvidenceOpt = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_jsonl: JsonlOpt = False,
    data: DataOpt = None,
) -> None:
    """Show one product in detail, or list every product by first approval.

    QUERY is any brand, generic (INN), short, code or Chinese name; typos are forgiven.

    \b
    Examples:
      cartq product fucaso
      cartq product 卡卫荻 --evidence
      cartq product axi-cel --json | jq '.related.events[].date'
      cartq product --csv > products.csv
    """
    _exit(commands.show("product", query, _fmt(as_json, as_csv, as_jsonl), data, evidence))


@app.command()
def company(
    query: Annotated[str | None, _query("company")] = None,
    evidence: EvidenceOpt = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_jsonl: JsonlOpt = False,
    data: DataOpt = None,
) -> None:
    """Show one company or institution with its products and programmes, or list them all.

    \b
    Examples:
      cartq company iaso
      cartq company 药明巨诺
      cartq company --json | jq '.[].name'
    """
    _exit(commands.show("company", query, _fmt(as_json, as_csv, as_jsonl), data, evidence))


@app.command()
def target(
    query: Annotated[str | None, _query("target")] = None,
    evidence: EvidenceOpt = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_jsonl: JsonlOpt = False,
    data: DataOpt = None,
) -> None:
    """Show one antigen target with the products and programmes aimed at it, or list them all.

    \b
    Examples:
      cartq target bcma
      cartq target CLDN18.2
      cartq target --csv
    """
    _exit(commands.show("target", query, _fmt(as_json, as_csv, as_jsonl), data, evidence))


@app.command()
def indication(
    query: Annotated[str | None, _query("indication")] = None,
    evidence: EvidenceOpt = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_jsonl: JsonlOpt = False,
    data: DataOpt = None,
) -> None:
    """Show one disease with its products, approvals and programmes, or list them all.

    \b
    Examples:
      cartq indication rrmm
      cartq indication "gastric cancer"
      cartq indication --jsonl
    """
    _exit(commands.show("indication", query, _fmt(as_json, as_csv, as_jsonl), data, evidence))


@app.command()
def glossary(
    term: Annotated[str | None, _query("term", "TERM")] = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_jsonl: JsonlOpt = False,
    data: DataOpt = None,
) -> None:
    """Explain a term (CRS, ICANS, leukapheresis, NMPA ...), or list the glossary.

    \b
    Examples:
      cartq glossary crs
      cartq glossary off-the-shelf
      cartq glossary --csv
    """
    _exit(commands.show("term", term, _fmt(as_json, as_csv, as_jsonl), data))


@app.command()
def compare(
    queries: Annotated[list[str], typer.Argument(metavar="PRODUCT...", autocompletion=_complete("product"))],
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_jsonl: JsonlOpt = False,
    data: DataOpt = None,
) -> None:
    """Compare two or more products side by side: target, companies, construct, approvals, price, insurance.

    \b
    Examples:
      cartq compare fucaso carvykti zevor-cel
      cartq compare yikaida carteyva --json
      cartq compare cnct19 yikaida --csv
    """
    _exit(commands.compare(queries, _fmt(as_json, as_csv, as_jsonl), data))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to look for in every kind of record.")],
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_jsonl: JsonlOpt = False,
    data: DataOpt = None,
) -> None:
    """Search every kind of record; each hit says its kind. Exit 1 when nothing matches.

    \b
    Examples:
      cartq search allogeneic
      cartq search FUMANBA
      cartq search lupus --jsonl
    """
    _exit(commands.search(query, _fmt(as_json, as_csv, as_jsonl), data))


@app.command()
def trials(
    target: Annotated[
        str | None, typer.Option("--target", help="Antigen, e.g. bcma.", autocompletion=_complete("target"))
    ] = None,
    indication: Annotated[
        str | None,
        typer.Option("--indication", help="Disease, e.g. nsclc.", autocompletion=_complete("indication")),
    ] = None,
    sponsor: Annotated[
        str | None,
        typer.Option("--sponsor", help="Company or institution.", autocompletion=_complete("company")),
    ] = None,
    phase: Annotated[str | None, typer.Option("--phase", help="1, 1/2, 2, 3, early ...")] = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_jsonl: JsonlOpt = False,
    data: DataOpt = None,
) -> None:
    """Trials and research programmes, filtered, with the trial-count figures.

    \b
    Examples:
      cartq trials --target bcma
      cartq trials --indication lupus
      cartq trials --phase 1/2 --csv
    """
    _exit(commands.trials(target, indication, sponsor, phase, _fmt(as_json, as_csv, as_jsonl), data))


@app.command()
def timeline(
    target: Annotated[
        str | None,
        typer.Option("--target", help="Only products aimed at this antigen.", autocompletion=_complete("target")),
    ] = None,
    indication: Annotated[
        str | None,
        typer.Option(
            "--indication", help="Only this disease (and its subtypes).", autocompletion=_complete("indication")
        ),
    ] = None,
    all_events: Annotated[
        bool, typer.Option("--all-events", help="Include NDA acceptances, designations and INDs.")
    ] = False,
    chart: ChartOpt = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_jsonl: JsonlOpt = False,
    data: DataOpt = None,
) -> None:
    """Every approval in date order (undated ones last).

    \b
    Examples:
      cartq timeline
      cartq timeline --target bcma
      cartq timeline --chart
      cartq timeline --all-events --jsonl
    """
    _exit(commands.timeline(target, indication, all_events, chart, _fmt(as_json, as_csv, as_jsonl), data))


@app.command()
def costs(
    country: Annotated[
        str | None,
        typer.Option("--country", help="China, CN, US, UK, DE ...", autocompletion=_complete("country")),
    ] = None,
    chart: ChartOpt = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_jsonl: JsonlOpt = False,
    data: DataOpt = None,
) -> None:
    """The seed's country cost table and every other price claim, each with its source.

    Prices keep their own currency; nothing is converted or averaged.

    \b
    Examples:
      cartq costs --country china
      cartq costs --chart
      cartq costs --country us --csv
    """
    _exit(commands.costs(country, chart, _fmt(as_json, as_csv, as_jsonl), data))


@app.command()
def market(
    chart: ChartOpt = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_jsonl: JsonlOpt = False,
    data: DataOpt = None,
) -> None:
    """Market sizes, projections and growth rates, with who projected them.

    \b
    Examples:
      cartq market
      cartq market --chart
      cartq market --json | jq '.figures[] | select(.status == "projection")'
    """
    _exit(commands.market(chart, _fmt(as_json, as_csv, as_jsonl), data))


@app.command()
def sources(
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_jsonl: JsonlOpt = False,
    data: DataOpt = None,
) -> None:
    """Every source, with what cites it, and the date the fact base is current to.

    \b
    Examples:
      cartq sources
      cartq sources --json | jq '.[] | select(.kind == "seed")'
      cartq sources --csv
    """
    _exit(commands.sources(_fmt(as_json, as_csv, as_jsonl), data))


@app.command()
def validate(
    path: Annotated[
        Path | None, typer.Argument(help="Fact base to check (default: --data, CARTQ_DATA, the shipped one).")
    ] = None,
    as_json: JsonOpt = False,
    data: DataOpt = None,
) -> None:
    """Check a fact base file and list every problem with where it is. Exit 3 if any.

    Never writes to the file and never uses the cache.

    \b
    Examples:
      cartq validate data/facts.yaml
      cartq validate my-facts.yaml --json
    """
    _exit(commands.validate(path or data, as_json))


@app.command()
def schema(
    part: Annotated[
        str, typer.Argument(help="'facts' (the fact base file) or 'output' (the --json shapes).")
    ] = "facts",
    as_json: Annotated[bool, typer.Option("--json", help="Accepted for symmetry: the schema is always JSON.")] = False,
) -> None:
    """Print the JSON Schema of the fact base, or of the --json output.

    \b
    Examples:
      cartq schema > facts.schema.json
      cartq schema output
    """
    if part not in ("facts", "output"):
        raise typer.BadParameter("choose 'facts' or 'output'", param_hint="PART")
    _exit(commands.schema(part))


def main() -> None:
    """Run the Typer app (the entry point is cartq.entry:main, which tries the fast path first)."""
    try:
        app(prog_name="cartq")
    except BrokenPipeError:
        commands.silence_stdout()
        sys.exit(int(ExitCode.OK))
    except KeyboardInterrupt:
        sys.exit(int(ExitCode.INTERRUPTED))
