"""The command table: every command, its arguments, options, help, examples and result shapes,
declared once. The Typer app (cli.app), the start-up fast path (cli.fast), name completion, help
and `cartq schema output` are all built from it, and a test compares the Typer app against it.

Nothing here imports Typer, Rich or pydantic: the fast path reads this table on every run.
"""

from __future__ import annotations

from cartq.render.formats import FORMATS


# Plain classes with __slots__, not dataclasses: the fast path reads this table on every run, and
# `dataclasses` (with `inspect`) cost a lookup about 13 ms of imports.
class Param:
    """An option (with flags) or a positional argument (no flags)."""

    __slots__ = ("complete", "default", "dest", "flags", "help", "least", "metavar", "most", "takes_value")

    def __init__(
        self,
        dest: str,
        help: str,
        flags: tuple[str, ...] = (),
        takes_value: bool = True,  # False: a flag that is on or off
        metavar: str | None = None,
        complete: str | None = None,  # the record kind whose names a Tab offers
        least: int = 1,  # arguments: how many values, at least and at most (None: any number)
        most: int | None = 1,
        default: str | None = None,
    ) -> None:
        self.dest, self.help, self.flags, self.takes_value = dest, help, flags, takes_value
        self.metavar, self.complete, self.least, self.most, self.default = metavar, complete, least, most, default

    @property
    def is_option(self) -> bool:
        return bool(self.flags)

    def __repr__(self) -> str:
        return f"Param({self.dest!r})"


class Command:
    __slots__ = (
        "args",
        "data",
        "description",
        "examples",
        "formats",
        "name",
        "options",
        "pager",
        "results",
        "summary",
        "wide",
    )

    def __init__(
        self,
        name: str,
        summary: str,  # one whole sentence: the line in `cartq --help`
        description: str = "",
        args: tuple[Param, ...] = (),
        options: tuple[Param, ...] = (),
        formats: tuple[str, ...] = tuple(FORMATS),  # output formats offered, besides the table
        data: bool = True,  # takes --data
        examples: tuple[str, ...] = (),
        results: tuple[str, ...] = (),  # the cartq.results shapes its --json can print
        wide: bool = False,  # its table has a compact and a --wide form
        pager: bool = True,  # its table can be long enough to page
    ) -> None:
        self.name, self.summary, self.description, self.args, self.options = name, summary, description, args, options
        self.formats, self.data, self.examples, self.results = formats, data, examples, results
        self.wide, self.pager = wide, pager

    def __repr__(self) -> str:
        return f"Command({self.name!r})"

    def output_options(self) -> tuple[Param, ...]:
        """The options that choose how the result is written (the runner's, not the handler's)."""
        chosen = tuple(FORMAT_OPTIONS[name] for name in self.formats)
        chosen += (BOM,) if "csv" in self.formats else ()
        return chosen + ((WIDE,) if self.wide else ()) + ((NO_PAGER,) if self.pager else ())

    def all_options(self) -> tuple[Param, ...]:
        return self.options + self.output_options() + ((DATA,) if self.data else ())


DATA = Param(
    "data",
    "Use this fact base instead of the shipped one (or set CARTQ_DATA).",
    flags=("--data",),
    metavar="PATH",
)
FORMAT_OPTIONS = {
    name: Param(f"as_{name}", fmt.help, flags=(f"--{name}",), takes_value=False) for name, fmt in FORMATS.items()
}
BOM = Param(
    "bom",
    "With --csv: start with a UTF-8 byte-order mark, so spreadsheets read Chinese text right.",
    flags=("--bom",),
    takes_value=False,
)
WIDE = Param(
    "wide", "On a terminal: every column (listings fit 80 columns without it).", flags=("--wide",), takes_value=False
)
NO_PAGER = Param(
    "no_pager",
    "Never send long output through a pager (also CARTQ_PAGER=cat).",
    flags=("--no-pager",),
    takes_value=False,
)
EVIDENCE = Param(
    "evidence",
    "Show the quotes and sources behind each field instead.",
    flags=("--evidence", "--sources"),
    takes_value=False,
)
CHART = Param("chart", "Draw a bar chart in the terminal.", flags=("--chart",), takes_value=False)


def _query(
    kind: str, metavar: str = "QUERY", help: str = "A name of any kind: brand, generic, code, Chinese."
) -> Param:
    return Param("query", help, metavar=metavar, complete=kind, least=0)


def _lookup(
    name: str,
    kind: str,
    summary: str,
    description: str,
    examples: tuple[str, ...],
    shape: str,
    filters: tuple[Param, ...] = (),
) -> Command:
    return Command(
        name,
        summary,
        description,
        args=(_query(kind, "TERM" if kind == "term" else "QUERY"),),
        options=(() if kind == "term" else (EVIDENCE,)) + filters,
        examples=examples,
        results=(f"{shape}Lookup", f"{shape}Listing") + (() if kind == "term" else ("Evidence",)),
        wide=True,
    )


COMMANDS: tuple[Command, ...] = (
    _lookup(
        "product",
        "product",
        "Show one product in detail, or list every product by first approval.",
        "QUERY is any brand, generic (INN), short, code or Chinese name; a near miss answers with a notice "
        "on stderr saying which product it chose. Without a query, the filters cut the listing.",
        (
            "cartq product fucaso",
            "cartq product 卡卫荻 --evidence",
            "cartq product axi-cel --json | jq '.related.events[].date'",
            "cartq product --coverage commercial-list",
            "cartq product --target bcma --status approved",
            "cartq product --csv > products.csv",
        ),
        "Product",
        (
            Param("target", "Listing: only products aimed at this antigen.", flags=("--target",), complete="target"),
            Param(
                "status",
                "Listing: only products with this status (approved, approval_reported, nda_accepted ...).",
                flags=("--status",),
            ),
            Param(
                "coverage",
                "Listing: only products on this insurance scheme (commercial-list, nrdl, huiminbao).",
                flags=("--coverage",),
                metavar="SCHEME",
            ),
        ),
    ),
    _lookup(
        "company",
        "company",
        "Show one company or institution with its products, or list them all.",
        "",
        ("cartq company iaso", "cartq company 药明巨诺", "cartq company --json | jq '.[].name'"),
        "Company",
    ),
    _lookup(
        "target",
        "target",
        "Show one antigen target with the products aimed at it, or list them all.",
        "",
        ("cartq target bcma", "cartq target CLDN18.2", "cartq target --csv"),
        "Target",
    ),
    _lookup(
        "indication",
        "indication",
        "Show one disease with its products and approvals, or list them all.",
        "",
        ("cartq indication rrmm", 'cartq indication "gastric cancer"', "cartq indication --jsonl"),
        "Indication",
    ),
    _lookup(
        "glossary",
        "term",
        "Explain a term (CRS, ICANS, NMPA ...), or list the glossary.",
        "",
        ("cartq glossary crs", "cartq glossary off-the-shelf", "cartq glossary --csv"),
        "Term",
    ),
    Command(
        "compare",
        "Compare two or more products side by side.",
        "Target, companies, construct, approvals, price and insurance, one row per field.",
        args=(Param("queries", "Two or more products.", metavar="PRODUCT...", complete="product", least=2, most=None),),
        examples=(
            "cartq compare fucaso carvykti zevor-cel",
            "cartq compare yikaida carteyva --json",
            "cartq compare cnct19 yikaida --csv",
        ),
        results=("Comparison",),
    ),
    Command(
        "search",
        "Search every kind of record by words; each hit says its kind, name and where it matched.",
        "Every word is required; case, width, accents, plurals and British/American spellings are folded. "
        "Exact name hits come first, then products, companies, targets, indications and the rest. "
        "Exit 1 when nothing matches. Open a hit with 'cartq show ID'.",
        args=(Param("query", "Words to look for in every kind of record.", metavar="QUERY...", most=None),),
        options=(
            Param("limit", "Show at most N hits (default 20; 0 for all).", flags=("--limit",), metavar="N"),
            Param("kind", "Only hits of this kind (product, company, price, source ...).", flags=("--kind",)),
        ),
        examples=(
            "cartq search allogeneic",
            'cartq search "commercial insurance"',
            "cartq search solid tumour --kind product",
            "cartq search price --limit 50",
            "cartq search lupus --jsonl",
        ),
        results=("SearchHits",),
    ),
    Command(
        "show",
        "Open any record by its id: a price, an event, a coverage record, a source or a study.",
        "Ids are unique across the fact base; 'cartq search' and every --json give them.",
        args=(Param("record_id", "The record's id.", metavar="ID", complete="id"),),
        examples=("cartq show cn-fucaso-over-1m", "cartq show commercial-list-eque-cel", "cartq show seed-000 --json"),
        results=("ProductLookup", "CompanyLookup", "TargetLookup", "IndicationLookup", "TermLookup", "RecordLookup"),
    ),
    Command(
        "coverage",
        "List what insurance pays: the NRDL, the commercial insurance list and city Huiminbao plans.",
        "SCHEME is commercial-list, nrdl or huiminbao; without it, every coverage record.",
        args=(Param("scheme", "commercial-list, nrdl or huiminbao.", metavar="SCHEME", least=0),),
        options=(Param("product", "Only this product's coverage.", flags=("--product",), complete="product"),),
        examples=("cartq coverage commercial-list", "cartq coverage --product fucaso", "cartq coverage --csv"),
        results=("CoverageList",),
    ),
    Command(
        "trials",
        "List trials and research programmes, with the trial-count figures.",
        "With a STUDY (its id or name), that one trial in detail.",
        args=(Param("study", "A trial or programme, e.g. fumanba-1.", metavar="STUDY", complete="study", least=0),),
        options=(
            Param("target", "Antigen, e.g. bcma.", flags=("--target",), complete="target"),
            Param(
                "indication", "Disease, e.g. nsclc (and its subtypes).", flags=("--indication",), complete="indication"
            ),
            Param("sponsor", "Company or institution.", flags=("--sponsor",), complete="company"),
            Param("phase", "1, 1/2, 2, 3, early ...", flags=("--phase",)),
        ),
        examples=(
            "cartq trials --target bcma",
            "cartq trials fumanba-1",
            "cartq trials --indication lupus",
            "cartq trials --phase 1/2 --csv",
        ),
        results=("Trials", "RecordLookup"),
        wide=True,
    ),
    Command(
        "timeline",
        "List every approval in date order (undated ones last).",
        "",
        options=(
            Param("target", "Only products aimed at this antigen.", flags=("--target",), complete="target"),
            Param(
                "indication", "Only this disease (and its subtypes).", flags=("--indication",), complete="indication"
            ),
            Param(
                "all_events",
                "Include NDA acceptances, designations and INDs.",
                flags=("--all-events",),
                takes_value=False,
            ),
            Param("since", "Only events on or after this date (yyyy[-mm[-dd]]).", flags=("--since",), metavar="DATE"),
            CHART,
        ),
        examples=(
            "cartq timeline",
            "cartq timeline --target bcma",
            "cartq timeline --since 2024",
            "cartq timeline --chart",
            "cartq timeline --all-events --jsonl",
        ),
        results=("Timeline",),
        wide=True,
    ),
    Command(
        "costs",
        "Show the seed's country cost table and every other price claim.",
        "Each claim has its own source. Prices keep their own currency; nothing is converted or averaged.",
        options=(
            Param("country", "China, CN, US, UK, DE ...", flags=("--country",), complete="country"),
            Param("product", "Only this product's price claims.", flags=("--product",), complete="product"),
            CHART,
        ),
        examples=(
            "cartq costs --country china",
            "cartq costs --product fucaso",
            "cartq costs --chart",
            "cartq costs --country us --csv",
        ),
        results=("Costs",),
        wide=True,
    ),
    Command(
        "market",
        "Show market sizes, projections and growth rates, with who projected them.",
        "",
        options=(CHART,),
        examples=(
            "cartq market",
            "cartq market --chart",
            "cartq market --json | jq '.figures[] | select(.status == \"projection\")'",
        ),
        results=("Market",),
    ),
    Command(
        "sources",
        "List every source with its grade, host and what cites it, or show one source.",
        "Reliability follows the fact base's rules: filings, press releases, regulators and journals high; "
        "trade press medium; mirrors, aggregators and blogs low, each labelled with the publisher it copies.",
        args=(Param("source", "A source's id, e.g. seed-000.", metavar="SOURCE", complete="source", least=0),),
        options=(
            Param(
                "kind", "Only sources of this kind (filing, press_release, trade_press, mirror ...).", flags=("--kind",)
            ),
            Param("reliability", "Only sources of this grade (high, medium, low).", flags=("--reliability",)),
        ),
        examples=(
            "cartq sources",
            "cartq sources seed-000",
            "cartq sources --kind filing",
            "cartq sources --reliability high",
            "cartq sources --json | jq '.[] | select(.kind == \"seed\")'",
            "cartq sources --csv",
        ),
        results=("Sources", "RecordLookup"),
    ),
    Command(
        "registry",
        "Query the registered CAR-T trials with a site in China, from ClinicalTrials.gov.",
        "Run 'cartq registry update' once (or 'cartq registry import FILE' offline); then list studies with "
        "filters, show one by its NCT id, or count them with --facet. Registry fields are the registry's own; "
        "target, indication and product are derived by cartq and shown as derived, with how. ClinicalTrials.gov "
        "data is published by the U.S. National Library of Medicine.",
        args=(
            Param(
                "words",
                "'update', 'import FILE', an NCT id, or words to look for in titles and conditions.",
                metavar="[update | import FILE | NCT-ID | TEXT...]",
                least=0,
                most=None,
            ),
        ),
        options=(
            Param("target", "Derived target, e.g. bcma.", flags=("--target",), complete="target"),
            Param("indication", "Derived disease, e.g. lupus.", flags=("--indication",), complete="indication"),
            Param("product", "A product in the fact base, e.g. fucaso.", flags=("--product",), complete="product"),
            Param("sponsor", "Lead sponsor or collaborator (part of a name).", flags=("--sponsor",)),
            Param("phase", "1, 1/2, 2, 3, early ...", flags=("--phase",)),
            Param("status", "recruiting, completed, 'not yet recruiting' ...", flags=("--status",)),
            Param("city", "A city with a site, e.g. Shanghai.", flags=("--city",)),
            Param(
                "since",
                "Listing: started on or after (yyyy[-mm[-dd]]). update: only studies updated since (a date or 'last').",
                flags=("--since",),
                metavar="DATE",
            ),
            Param("until", "Started on or before (yyyy[-mm[-dd]]).", flags=("--until",), metavar="DATE"),
            Param(
                "facet",
                "Count studies by target, phase, status, sponsor, city or year.",
                flags=("--facet",),
                metavar="FIELD",
            ),
            CHART,
            Param(
                "info",
                "Where the registry is, when it was fetched, and with which query.",
                flags=("--info",),
                takes_value=False,
            ),
            Param(
                "registry",
                "Use this registry file (or set CARTQ_REGISTRY; default: $XDG_DATA_HOME/cartq/registry.sqlite).",
                flags=("--registry",),
                metavar="PATH",
            ),
            Param(
                "api_url",
                "update: the API's base URL (or set CARTQ_CTGOV_URL; default https://clinicaltrials.gov).",
                flags=("--api-url",),
                metavar="URL",
            ),
        ),
        examples=(
            "cartq registry update",
            "cartq registry --status recruiting --target bcma --facet phase",
            "cartq registry --indication lupus --city shanghai --status recruiting",
            "cartq registry NCT05066646",
            "cartq registry import studies.json",
            "cartq registry --info",
        ),
        results=("RegistryStudyList", "RegistryStudy", "RegistryFacets", "RegistryInfo", "RegistryUpdate"),
    ),
    Command(
        "export",
        "Export the whole fact base as SQLite (with datasette metadata), CSV files or one JSON document.",
        "FORMAT is sqlite (PATH is the database; PATH.metadata.json is written beside it), csv (PATH is a "
        "directory: one CSV per table and a datapackage.json) or json (PATH is the file, with its JSON Schema). "
        "Never writes to the fact base; refuses to overwrite a file that is not an earlier cartq export.",
        args=(
            Param("format", "sqlite, csv or json.", metavar="FORMAT"),
            Param("path", "Where to write.", metavar="PATH"),
        ),
        options=(
            Param(
                "bom", "csv: start each file with a UTF-8 BOM, for spreadsheets.", flags=("--bom",), takes_value=False
            ),
            Param(
                "registry",
                "sqlite: also copy this trial registry in (default: the registry, when there is one).",
                flags=("--registry",),
                metavar="PATH",
            ),
        ),
        formats=("json",),
        examples=(
            "cartq export sqlite facts.db && datasette facts.db --metadata facts.db.metadata.json",
            "cartq export csv facts-csv/ --bom",
            "cartq export json facts.json",
        ),
        results=("ExportReport",),
        pager=False,
    ),
    Command(
        "mcp",
        "Serve the fact base to AI assistants over the Model Context Protocol (stdio).",
        "Needs the optional extra: pip install 'cartq[mcp]'. Every answer carries its citations and disputes.",
        formats=(),
        examples=("cartq mcp",),
        pager=False,
    ),
    Command(
        "validate",
        "Check a fact base file and list every problem with its line.",
        "Exit 3 if there is any problem. Never writes to the file or the cache; a file whose cache was built "
        "from the same bytes by the same cartq is read back from it.",
        args=(
            Param(
                "path",
                "Fact base to check (default: --data, CARTQ_DATA, the shipped one).",
                metavar="PATH",
                least=0,
            ),
        ),
        options=(
            Param(
                "strict",
                "Also check that every precise value (a day, a price, a count, a place) is in a quote of its sources.",
                flags=("--strict",),
                takes_value=False,
            ),
        ),
        formats=("json",),
        examples=(
            "cartq validate data/facts.yaml",
            "cartq validate --strict data/facts.yaml",
            "cartq validate my-facts.yaml --json",
        ),
        results=("Validation",),
    ),
    Command(
        "schema",
        "Print the JSON Schema of the fact base, or of the --json output.",
        "PART is 'facts' (the fact base file) or 'output' (every command's --json shapes).",
        args=(Param("part", "'facts' or 'output'.", metavar="PART", least=0, default="facts"),),
        formats=("json",),
        data=False,
        examples=("cartq schema > facts.schema.json", "cartq schema output"),
        pager=False,
    ),
)

BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}
SCHEMA_PARTS = ("facts", "output")

APP_HELP = (
    "Look up sourced facts about CAR-T cell therapy in China: approved products, companies, targets, "
    "indications, trials, costs and market figures. Every fact cites its source."
)
EXIT_CODES = (
    (0, "found (a listing with no rows too)"),
    (1, "no match (suggestions on stderr)"),
    (2, "usage error"),
    (3, "fact base missing or invalid"),
    (4, "trial registry unreachable or unreadable"),
    (5, "output could not be written"),
    (130, "interrupted"),
)
EXIT_CODES_HELP = "Exit codes: " + ", ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES) + "."


def result_shapes() -> list[str]:
    """Every shape any command's --json prints, once each, in table order."""
    return list(dict.fromkeys(shape for command in COMMANDS for shape in command.results))


# Used by tests and help: every option a command accepts, by flag.
def flags_of(command: Command) -> dict[str, Param]:
    return {flag: param for param in command.all_options() for flag in param.flags}
