"""What people see: every citation whole on one line on a real pseudo-terminal, and no table cell
ever cropped at any width."""

from __future__ import annotations

import collections
import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from cartq.cli.handlers import open_store
from cartq.domain import landscape, listings
from cartq.domain.compare import compare
from cartq.domain.views import view
from cartq.render import landscape_docs, listing_docs, record_docs
from cartq.render.blocks import Bars, Doc, Fields, Heading, Lines, Table
from cartq.render.charts import bar_lines, costs_chart_doc, timeline_chart_doc
from cartq.render.screen import layout, render_plain, table_lines, wrap

HELPER = Path(__file__).with_name("screen_helper.py")
WIDTHS = (60, 80, 120)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def screens_on_ptys(widths: tuple[int, ...]) -> dict[int, str]:
    """The helper's output on a pseudo-terminal of each width (all at once), as the screen gets it."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    runs = {}
    for width in widths:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, width, 0, 0))
        proc = subprocess.Popen(
            [sys.executable, str(HELPER)], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env
        )
        os.close(slave)
        runs[master] = (width, proc, [])
    open_fds = set(runs)
    while open_fds:
        ready, _, _ = select.select(list(open_fds), [], [], 60)
        assert ready, "the helper stopped writing"
        for fd in ready:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                chunk = b""
            if chunk:
                runs[fd][2].append(chunk)
            else:
                open_fds.discard(fd)
                os.close(fd)
    screens = {}
    for width, proc, chunks in runs.values():
        assert proc.wait(timeout=60) == 0, b"".join(chunks)[-2000:]
        screens[width] = ANSI.sub("", b"".join(chunks).decode("utf-8").replace("\r\n", "\n"))
    return screens


def cited(store: object, kind: str, record: dict) -> set[str]:
    """Every source id and URL a lookup's --json cites."""
    found = set()
    for source in view(store, kind, record)["sources"]:  # type: ignore[arg-type]
        found.add(source["id"])
        if source.get("url"):
            found.add(source["url"])
    return found


def test_every_citation_is_whole_on_one_line_on_a_real_terminal() -> None:
    store = open_store(None)
    screens = screens_on_ptys(WIDTHS)
    checked = 0
    for width, screen in screens.items():
        parts = screen.split("=====RECORD ")[1:]
        assert len(parts) > 60
        for part in parts:
            head, _, body = part.partition("\n")
            kind, rid = head.split()
            tokens = {token for line in body.splitlines() for token in line.split()}
            record = store.get(kind, rid)
            missing = cited(store, kind, record) - tokens
            assert not missing, f"{kind} {rid} at {width} columns: {sorted(missing)}"
            checked += 1
            # Nothing but a citation longer than the room runs past the edge.
            for line in body.splitlines():
                if len(line) > width:
                    assert any(len(t) > width // 2 for t in line.split()), (width, line)
    assert checked >= 3 * 60


def docs_with_tables() -> list[Doc]:
    store = open_store(None)
    docs = [listing_docs.listing_doc(kind, listings.LISTINGS[kind](store)) for kind in listings.LISTINGS]
    docs.append(listing_docs.listing_doc("product", listings.LISTINGS["product"](store), wide=True))
    docs.append(landscape_docs.costs_doc(landscape.costs(store)))
    docs.append(landscape_docs.timeline_doc(landscape.timeline(store)))
    docs.append(landscape_docs.timeline_doc(landscape.timeline(store, all_events=True), wide=True))
    docs.append(landscape_docs.trials_doc(landscape.trials(store)))
    docs.append(landscape_docs.market_doc(landscape.market(store)))
    docs.append(landscape_docs.compare_doc(compare(store, ["fucaso", "carvykti", "yikaida"])))
    pages = (("product", "axi-cel"), ("product", "eque-cel"), ("company", "fosun-kite"), ("indication", "lbcl"))
    for kind, rid in pages:
        docs.append(record_docs.detail_doc(view(store, kind, store.get(kind, rid))))
    return docs


def words(text: str) -> collections.Counter[str]:
    return collections.Counter(text.split())


@pytest.mark.parametrize("widths", [range(40, 81), range(81, 121), range(121, 161), range(161, 201)])
def test_no_table_cell_is_ever_cropped(widths: range) -> None:
    tables = [block for doc in docs_with_tables() for block in doc.blocks if isinstance(block, Table)]
    assert len(tables) > 20
    for table in tables:
        # A column with nothing in it is left out, header and all; every other word must show.
        keep = [i for i in range(len(table.columns)) if any(str(row[i]).strip() for row in table.rows)]
        # (Shown as a block per row, a row's first cell stands as its title, without its header.)
        expected = words(" ".join(table.columns[i] for i in keep[1:]))
        for row in table.rows:
            expected += words(" ".join(str(row[i]) for i in keep))
        for notes in table.after.values():
            expected += words(" ".join(notes))
        for width in widths:
            lines = ["".join(text for text, _ in line) for line in table_lines(table, width)]
            shown = words("\n".join(lines))
            assert not expected - shown, (table.title, width, expected - shown)
            for line in lines:
                assert len(line) <= width or any(len(t) > width - 10 for t in line.split()), (table.title, width, line)


def test_wrap_breaks_only_at_spaces_and_keeps_long_words_whole() -> None:
    url = "https://example.com/" + "a" * 100
    assert wrap(f"see {url} here", 40) == ["see", url, "here"]
    assert wrap("ab cd ef", 5) == ["ab cd", "ef"]


def test_plain_output_aligns_by_display_width() -> None:
    doc = Doc([Table(["name", "kind"], [["福可苏", "x"], ["Fucaso", "y"]])])
    from rich.cells import cell_len

    lines = render_plain(doc).splitlines()
    # 福可苏 takes six columns, as many as "Fucaso": the next column starts at the same place.
    assert lines[1] == "  福可苏  x" and lines[2] == "  Fucaso  y"
    assert cell_len(lines[1]) == cell_len(lines[2])


def test_tiny_or_zero_width_still_prints_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = Doc([Heading("H"), Fields([("key", "value with words")]), Lines(["a line"]), Table(["a", "b"], [["1", "2"]])])
    for columns in ("0", "1", "-5", "abc"):
        monkeypatch.setenv("COLUMNS", columns)
        text = "\n".join("".join(t for t, _ in line) for line in layout(doc, 0))
        assert "value with words" in text and "a line" in text and "1" in text


def test_control_characters_are_escaped_in_every_block() -> None:
    evil = "x\x1b[31mred\x07"
    doc = Doc(
        [
            Heading(evil),
            Fields([(evil, evil)], title=evil),
            Lines([evil], title=evil),
            Table([evil], [[evil]], title=evil),
            Bars(evil, "u", [(evil, 1.0, None, evil, False)]),
        ]
    )
    text = render_plain(doc, 80)
    assert "\x1b" not in text and "\x07" not in text
    assert text.count("\\x1b[31mred") >= 8


def test_huge_prices_and_far_apart_years_draw_bounded_charts() -> None:
    costs = {
        "countries": [],
        "prices": [
            {"price": {"currency": "CNY", "low": low, "high": high}, "subject": "s", "basis": "list_price"}
            | {"disputed": False}
            for low, high in ((1.7e308, None), (1.0, 1.7e308))
        ],
    }
    for block in costs_chart_doc(costs).blocks:
        assert isinstance(block, Bars)
        assert len(bar_lines(block, 80)) == 2
    events = [
        {"date": "0001-01-01", "regulator": "NMPA"},
        {"date": "9999-12-31", "regulator": "NMPA"},
    ]
    doc = timeline_chart_doc({"events": events})
    assert len(render_plain(doc, 80).splitlines()) < 10


PAGED = """
import sys
from cartq.render.blocks import Doc, Lines
from cartq.render.screen import render
render(Doc([Lines([f"line {n}" for n in range(int(sys.argv[1]))])]), pager=sys.argv[2] == "on")
"""


def run_on_pty(args: list[str], env: dict[str, str]) -> str:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen([sys.executable, "-c", PAGED, *args], stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        assert ready, "no output"
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=30) == 0
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("lines", "pager", "extra", "paged"),
    [
        (100, "on", {}, True),  # taller than the terminal: through the pager
        (5, "on", {}, False),  # fits on the screen: printed
        (100, "off", {}, False),  # --no-pager
        (100, "on", {"CARTQ_PAGER": "cat"}, False),  # CARTQ_PAGER=cat turns it off
        (100, "on", {"CARTQ_PAGER": ""}, False),
    ],
)
def test_long_output_on_a_terminal_goes_through_the_pager(
    tmp_path: Path, lines: int, pager: str, extra: dict[str, str], paged: bool
) -> None:
    out = tmp_path / "paged.txt"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "CARTQ_PAGER", "PAGER")}
    env["PAGER"] = f"tee {out}"  # a pager that shows what it gets and keeps a copy
    env.update(extra)
    screen = run_on_pty([str(lines), pager], env)
    assert f"line {lines - 1}" in screen
    assert out.exists() == paged
    if paged:
        assert f"line {lines - 1}" in out.read_text()


def test_the_pager_is_chosen_as_git_chooses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from cartq.render.screen import pager_command

    monkeypatch.delenv("CARTQ_PAGER", raising=False)
    monkeypatch.delenv("PAGER", raising=False)
    assert pager_command() == ["less", "-FRX"]
    monkeypatch.setenv("PAGER", "more -s")
    assert pager_command() == ["more", "-s"]
    monkeypatch.setenv("CARTQ_PAGER", "cat")
    assert pager_command() is None
    monkeypatch.setenv("PAGER", "cat")
    monkeypatch.delenv("CARTQ_PAGER")
    assert pager_command() is None


def test_piped_output_never_starts_a_pager(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from cartq.render import screen

    started = []
    monkeypatch.setattr(screen, "_page", lambda text, command: started.append(command) or True)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    screen.render(Doc([Lines([f"line {n}" for n in range(500)])]))
    assert not started and "line 499" in sys.stdout.getvalue()


def test_what_a_clinician_asks_is_on_the_page() -> None:
    from .conftest import run

    dlbcl = run("indication", "dlbcl").stdout
    assert "whose label covers Diffuse large B-cell lymphoma" in dlbcl
    assert "Yikaida" in dlbcl and "Carteyva" in dlbcl
    assert "including DLBCL not otherwise specified, PMBCL" in dlbcl  # the label's own words
    lbcl = run("indication", "lbcl", "--json").json()
    assert {"dlbcl", "pmbcl"} <= {s["id"] for s in lbcl["related"]["subtypes"]}
    fucaso = run("product", "fucaso").stdout
    trial = fucaso.split("Trial FUMANBA-1")[1].split("\n\n")[0]
    assert "overall response rate 96%" in trial and "sCR/CR 74.3%" in trial and "fineline-fucaso-approved" in trial
    colorectal = run("indication", "colorectal cancer").stdout
    assert "CORRECTION (bjsoh-satricel-nda): The Claudin18.2 CAR-T that was approved (CT041" in colorectal
    janssen = run("company", "janssen").stdout
    assert "Legend bears 70% and Janssen 30% of costs and profits" in janssen


def test_settled_prices_come_first_and_a_disputed_one_is_followed_by_its_correction() -> None:
    from .conftest import run

    text = run("costs", "--country", "china").stdout
    prices = text.split("Country cost table")[0]
    disputed = prices.index("(seed FAQ); typical cost [DISPUTED")
    assert prices.index("Carteyva list price per infusion") < disputed
    assert "CORRECTION (yicai-via-tojoy-2025-12" in prices[disputed:]
    result = run("costs", "--country", "china", "--json").json()
    flags = [p["disputed"] for p in result["prices"]]
    assert flags == sorted(flags)  # every settled claim before any disputed one


def test_an_undated_approval_shows_the_day_it_was_announced_and_weak_dates_are_flagged() -> None:
    from .conftest import run

    listing = run("product").stdout
    assert re.search(r"Carvykti.*announced 2024-08-27", listing)
    assert re.search(r"pCAR-19B.*2025-11-07 \(unconfirmed confidence\)", listing)
    assert "2021-09-01" not in run("target", "cd19").stdout  # month precision: never a day
