"""Registry results as documents for the terminal (the project's blocks) and as flat rows.

Derived values are always labelled as derived, with how, and never shown among the registry's
fields. Text from the registry goes through cartq.safe_text.printable here: only JSON carries
control characters as they are.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any  # noqa: TID253

from cartq.registry.query import status_label
from cartq.registry.results import RegistryFacets, RegistryInfo, RegistryStudy, RegistryStudyRow, RegistryUpdate

SOURCE_NOTE = "Registry data: ClinicalTrials.gov, U.S. National Library of Medicine."
DERIVED_NOTE = "target, indication and product are derived by cartq from the registry text, not registry fields."
MAX_PROBLEMS_SHOWN = 20


def _blocks() -> Any:
    from cartq.render import blocks  # lazily: a JSON listing never builds a document

    return blocks


def clean(value: object) -> str:
    """A value as one line of safe text: control characters and escape sequences shown escaped."""
    from cartq.safe_text import printable

    return "" if value is None else printable(str(value))


def _joined(values: list[str], sep: str = ", ") -> str:
    return sep.join(clean(v) for v in values if v)


def _date(value: str, kind: str = "") -> str:
    """'2024-03' as is, with 'estimated' when the registry says so; '' for none."""
    if not value:
        return ""
    return f"{value} (estimated)" if kind == "ESTIMATED" else value


def study_list_doc(rows: list[RegistryStudyRow], filters: dict[str, str] | None = None) -> Any:
    b = _blocks()
    doc = b.Doc()
    described = ", ".join(f"{k} {v}" for k, v in (filters or {}).items())
    noun = "study" if len(rows) == 1 else "studies"
    doc.add(b.Heading(f"{len(rows)} registered {noun} with a site in China" + (f" ({clean(described)})"
                                                                                if described else "")))
    doc.add(b.Table(
        ["NCT id", "phase", "status", "start", "lead sponsor", "Chinese cities", "target (derived)", "title"],
        [[row["nct_id"], row["phase"], clean(status_label(row["status"])), row["start_date"],
          clean(row["lead_sponsor"]), _joined(row["cities"][:3]) + (" …" if len(row["cities"]) > 3 else ""),
          _joined(row["targets"], "/"), clean(row["title"])] for row in rows]))
    if rows:
        doc.add(b.Lines([DERIVED_NOTE, SOURCE_NOTE, "One study in full: cartq registry NCT…"], style="dim"))
    return doc


def study_doc(study: RegistryStudy) -> Any:
    b = _blocks()
    doc = b.Doc()
    doc.add(b.Heading(f"{study['nct_id']}  {clean(study['brief_title'])}"))
    status = clean(status_label(study["status"]))
    if study["last_known_status"]:
        status += f" (last known: {clean(status_label(study['last_known_status']))})"
    sponsor = clean(study["lead_sponsor"]) + (f" ({clean(study['lead_sponsor_class'])})"
                                              if study["lead_sponsor_class"] else "")
    ages = " to ".join(a for a in (clean(study["minimum_age"]), clean(study["maximum_age"])) if a)
    doc.add(b.Fields([
        ("official title", clean(study["official_title"])),
        ("acronym", clean(study["acronym"])),
        ("status", status),
        ("phase", study["phase"]),
        ("study type", clean(study["study_type"]).replace("_", " ").lower()),
        ("start", _date(study["start_date"], study["start_type"])),
        ("primary completion", _date(study["primary_completion_date"], study["primary_completion_type"])),
        ("completion", _date(study["completion_date"], study["completion_type"])),
        ("enrollment", "" if study["enrollment"] is None else
         f"{study['enrollment']}" + (" (estimated)" if study["enrollment_type"] == "ESTIMATED" else "")),
        ("lead sponsor", sponsor),
        ("collaborators", _joined([c["name"] for c in study["collaborators"]], "; ")),
        ("conditions", _joined(study["conditions"], "; ")),
        ("ages", ages + (f" ({_joined(study['std_ages']).replace('_', ' ').lower()})" if study["std_ages"] else "")),
        ("last update posted", study["last_update_posted"]),
        ("registry record", study["url"]),
    ], title="Registry record"))
    doc.add(b.Table(["type", "name", "other names"],
                    [[clean(i["type"]).replace("_", " ").lower(), clean(i["name"]), _joined(i["other_names"], "; ")]
                     for i in study["interventions"]], title="Interventions"))
    doc.add(b.Table(["facility", "city", "province/state", "site status"],
                    [[clean(s["facility"]), clean(s["city"]), clean(s["state"]),
                      clean(s["status"]).replace("_", " ").lower()] for s in study["china_sites"]],
                    title=f"Sites in China ({len(study['china_sites'])} of {study['site_count']})"))
    if study["other_countries"]:
        doc.add(b.Lines([_joined(study["other_countries"])], title="Also sites in"))
    doc.add(b.Lines([derived_line(d["what"], d["value"], d["how"]) for d in study["derived"]]
                    or ["nothing: the registry text names no target, indication or product cartq knows"],
                    title="Derived by cartq (not registry facts)"))
    doc.add(b.Lines([f"{SOURCE_NOTE} {study['nct_id']}, retrieved {study['retrieved'] or 'at an unknown time'}."],
                    style="dim"))
    return doc


def derived_line(what: str, value: str, how: str) -> str:
    """'target BCMA (derived: intervention name contains 'BCMA')'."""
    return f"{what} {clean(value)} (derived: {clean(how)})"


FACET_TITLES = {"target": "target (derived)", "phase": "phase", "status": "status", "sponsor": "lead sponsor",
                "city": "city in China", "year": "start year"}


def facet_doc(result: RegistryFacets, chart: bool = False) -> Any:
    b = _blocks()
    doc = b.Doc()
    described = ", ".join(f"{k} {v}" for k, v in result["filters"].items())
    title = f"{result['total']} studies with a site in China by {FACET_TITLES[result['by']]}"
    if described:
        title += f" ({clean(described)})"
    if chart:
        doc.add(b.Bars(title, "studies", [(clean(c["value"]), float(c["count"]), None, "", False)
                                          for c in result["counts"]]))
    else:
        doc.add(b.Heading(title))
        doc.add(b.Table([FACET_TITLES[result["by"]], "studies"],
                        [[clean(c["value"]), str(c["count"])] for c in result["counts"]]))
    notes = [SOURCE_NOTE]
    if result["by"] == "target":
        notes.insert(0, DERIVED_NOTE + " A study may count under several targets.")
    elif result["by"] == "city":
        notes.insert(0, "A study counts once in each city where it has a site.")
    doc.add(b.Lines(notes, style="dim"))
    return doc


def info_doc(about: RegistryInfo) -> Any:
    b = _blocks()
    doc = b.Doc()
    doc.add(b.Heading("Trial registry"))
    doc.add(b.Fields([
        ("path", about["path"]),
        ("retrieved", about["retrieved"]),
        ("from", "ClinicalTrials.gov API" if about["origin"] == "api" else "an imported file"),
        ("API", about["api_url"]),
        ("query", clean(about["query"])),
        ("since", about["since"]),
        ("newest registry update", about["api_last_update"]),
        ("studies", str(about["studies"])),
        ("sites", f"{about['sites']} ({about['china_sites']} in China)"),
        ("skipped as invalid", str(about["skipped"])),
        ("derived", ", ".join(f"{what} for {n} studies" for what, n in about["derived"].items())),
    ]))
    doc.add(b.Lines([SOURCE_NOTE], style="dim"))
    return doc


def update_doc(result: RegistryUpdate) -> Any:
    b = _blocks()
    doc = b.Doc()
    verb = "Imported" if result["origin"] == "import" else "Updated"
    noun = "study" if result["stored"] == 1 else "studies"
    doc.add(b.Heading(f"{verb} the trial registry: {result['stored']} {noun} with a site in China"))
    doc.add(b.Fields([
        ("path", result["path"]),
        ("read", str(result["fetched"]) + (f" of {result['total_reported']} reported by the API"
                                           if result["total_reported"] is not None else "")),
        ("added or updated", str(result["added_or_updated"])),
        ("left out, no site in China", str(result["not_in_china"])),
        ("skipped as invalid", str(len(result["skipped"]))),
    ]))
    shown = result["skipped"][:MAX_PROBLEMS_SHOWN]
    lines = [f"#{p['position']}{' ' + p['nct_id'] if p['nct_id'] else ''}: {clean(p['reason'])}" for p in shown]
    if len(result["skipped"]) > len(shown):
        lines.append(f"… and {len(result['skipped']) - len(shown)} more")
    doc.add(b.Lines(lines, title="Skipped", style="yellow"))
    return doc


@contextlib.contextmanager
def progress_bar(label: str = "Fetching studies from ClinicalTrials.gov",
                 stream: IO[str] | None = None) -> Iterator[Callable[[int, int | None], None]]:
    """A progress callback for `update`: a Rich bar with counts on a terminal, silence otherwise."""
    stream = stream or sys.stderr
    if not stream.isatty() or os.environ.get("TERM") == "dumb":
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=stream, no_color=bool(os.environ.get("NO_COLOR")))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=None)

        def report(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        yield report


# ---- flat rows for --csv and --jsonl -------------------------------------------------------


def study_rows(rows: list[RegistryStudyRow]) -> list[dict[str, object]]:
    """One flat dict per study; lists joined with '|' as the registry's own CSV exports do."""
    return [{**row, "cities": "|".join(row["cities"]), "targets": "|".join(row["targets"]),
             "indications": "|".join(row["indications"]), "products": "|".join(row["products"])} for row in rows]


def facet_rows(result: RegistryFacets) -> list[dict[str, object]]:
    return [{"by": result["by"], "value": c["value"], "count": c["count"]} for c in result["counts"]]


def site_rows(study: RegistryStudy) -> list[dict[str, object]]:
    return [{"nct_id": study["nct_id"], **site} for site in study["china_sites"]]


def problem_rows(result: RegistryUpdate) -> list[dict[str, object]]:
    return [dict(problem) for problem in result["skipped"]]
