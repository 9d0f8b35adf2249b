"""The ClinicalTrials.gov client against a loopback server: paging, retries, and hostile answers."""

from __future__ import annotations

import socket
import urllib.error
from datetime import date

import pytest

from cartq.errors import RegistryError
from cartq.registry import client as ctgov
from tests.ctgov_fake import FakeCtgov, Misbehave, car_t_study, examples


def _studies(n: int) -> list[dict]:
    return [car_t_study(f"NCT{9000000 + i:08d}", f"Anti-BCMA CAR-T study {i}") for i in range(n)]


def _client(url: str, **kwargs: object) -> tuple[ctgov.Client, list[float]]:
    waits: list[float] = []
    options = {"timeout": 2.0, "attempts": 3, "backoff": 0.01, "sleep": waits.append, **kwargs}
    return ctgov.Client(url, **options), waits  # type: ignore[arg-type]


def test_pages_until_no_next_token_and_reports_progress() -> None:
    seen: list[tuple[int, int | None]] = []
    with FakeCtgov(_studies(5) + examples(small=True)) as fake:
        client, _ = _client(fake.url, page_size=2)
        result = client.fetch(progress=lambda done, total: seen.append((done, total)))
    assert len(result.studies) == 5  # the four real objects have no site in China: filtered by the API
    assert result.total == 5 and result.pages == 3
    assert seen == [(2, 5), (4, 5), (5, 5)]
    first, later = fake.requests[0], fake.requests[1]
    assert first["query.term"] == ctgov.CAR_T_TERMS
    assert first["filter.advanced"] == "AREA[LocationCountry]China"
    assert first["countTotal"] == "true" and first["format"] == "json"
    assert {"StatusModule", "LocationCountry", "InterventionOtherName"} <= set(first["fields"].split(","))
    assert "pageToken" not in first and later["pageToken"] == "tok2"
    assert {k: v for k, v in later.items() if k != "pageToken"} == first  # same parameters on every page


def test_since_adds_a_last_update_range() -> None:
    old = car_t_study("NCT00000001", "CD19 CAR-T", updated="2023-05-01")
    new = car_t_study("NCT00000002", "CD19 CAR-T", updated="2025-06-01")
    with FakeCtgov([old, new]) as fake:
        client, _ = _client(fake.url)
        result = client.fetch(since=date(2025, 1, 1))
    assert fake.requests[0]["filter.advanced"] == (
        "AREA[LocationCountry]China AND AREA[LastUpdatePostDate]RANGE[2025-01-01,MAX]")
    assert [s["protocolSection"]["identificationModule"]["nctId"] for s in result.studies] == ["NCT00000002"]


def test_429_then_success_honours_retry_after() -> None:
    script = [Misbehave("status", 429, {"Retry-After": "7"})]
    with FakeCtgov(_studies(1), script) as fake:
        client, waits = _client(fake.url)
        result = client.fetch()
    assert len(result.studies) == 1 and waits == [7.0]


def test_500_backs_off_exponentially_then_gives_up() -> None:
    script = [Misbehave("status", 500)] * 3
    with FakeCtgov(_studies(1), script) as fake:
        client, waits = _client(fake.url)
        with pytest.raises(RegistryError, match=r"HTTP 500 on page 1 \(gave up after 3 attempts\)"):
            client.fetch()
    assert waits == [0.01, 0.02]


def test_one_503_then_success() -> None:
    with FakeCtgov(_studies(2), [Misbehave("status", 503)]) as fake:
        client, waits = _client(fake.url)
        assert len(client.fetch().studies) == 2
    assert waits == [0.01]


def test_a_retry_after_too_long_stops_at_once() -> None:
    with FakeCtgov(_studies(1), [Misbehave("status", 429, {"Retry-After": "3600"})]) as fake:
        client, waits = _client(fake.url)
        with pytest.raises(RegistryError, match="asks to wait 3600 s"):
            client.fetch()
    assert waits == []


def test_404_and_400_are_not_retried() -> None:
    with FakeCtgov(_studies(1)) as fake:
        client, waits = _client(fake.url + "/wrong")
        with pytest.raises(RegistryError, match="HTTP 404"):
            client.fetch()
    assert waits == [] and len(fake.requests) == 1
    said = Misbehave("status", 400, body=b"Unknown field: Nope\nmore")
    with FakeCtgov(_studies(1), [said]) as fake:
        client, waits = _client(fake.url)
        with pytest.raises(RegistryError, match=r"HTTP 400 Bad Request on page 1: Unknown field: Nope$"):
            client.fetch()
    assert waits == []


def test_timeout_is_retried_then_reported() -> None:
    script = [Misbehave("stall", seconds=0.4)] * 2
    with FakeCtgov(_studies(1), script) as fake:
        client, _ = _client(fake.url, timeout=0.08, attempts=2)
        with pytest.raises(RegistryError, match=r"did not answer within 0.08 s \(gave up after 2 attempts\)"):
            client.fetch()


def test_malformed_json_is_one_line() -> None:
    with FakeCtgov(_studies(1), [Misbehave("garbage")]) as fake:
        client, _ = _client(fake.url)
        with pytest.raises(RegistryError, match="not JSON") as info:
            client.fetch()
    assert "\n" not in info.value.message


def test_truncated_body_is_retried() -> None:
    with FakeCtgov(_studies(3), [Misbehave("truncate")]) as fake:
        client, waits = _client(fake.url)
        assert len(client.fetch().studies) == 3
    assert len(waits) == 1


def test_truncated_every_time_gives_up() -> None:
    with FakeCtgov(_studies(3), [Misbehave("truncate")] * 3) as fake:
        client, _ = _client(fake.url)
        with pytest.raises(RegistryError, match="truncated page 1"):
            client.fetch()


def test_offline_connection_refused() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client, _ = _client(f"http://127.0.0.1:{port}")
    with pytest.raises(RegistryError, match=r"cannot reach ClinicalTrials\.gov") as info:
        client.fetch()
    assert "import" in (info.value.hint or "")


def test_dns_failure_is_not_retried() -> None:
    class NoDns:
        calls = 0

        def open(self, *args: object, **kwargs: object) -> None:
            NoDns.calls += 1
            raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))

    client, waits = _client("https://clinicaltrials.gov", opener=NoDns())
    with pytest.raises(RegistryError, match="does not resolve"):
        client.fetch()
    assert NoDns.calls == 1 and waits == []


def test_too_many_pages_and_oversized_pages_are_refused() -> None:
    with FakeCtgov(_studies(5)) as fake:
        client, _ = _client(fake.url, page_size=1, max_pages=3)
        with pytest.raises(RegistryError, match="past 3 pages"):
            client.fetch()
        client, _ = _client(fake.url, max_page_bytes=200)
        with pytest.raises(RegistryError, match="over"):
            client.fetch()


def test_base_url_from_env_and_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARTQ_CTGOV_URL", "http://127.0.0.1:9/")
    assert ctgov.base_url() == "http://127.0.0.1:9"
    assert ctgov.base_url("https://example.org") == "https://example.org"
    monkeypatch.delenv("CARTQ_CTGOV_URL")
    assert ctgov.base_url() == "https://clinicaltrials.gov"
    for bad in ("ftp://x", "http://", "clinicaltrials.gov", "https://x.org/?q=1"):
        with pytest.raises(RegistryError, match="not an http"):
            ctgov.base_url(bad)


def test_a_page_token_seen_before_stops_the_loop() -> None:
    class Looping(FakeCtgov):
        def page(self, params: dict[str, str]) -> dict:
            return {"studies": self.studies[:1], "nextPageToken": "again"}

    with Looping(_studies(2)) as fake:
        client, _ = _client(fake.url)
        with pytest.raises(RegistryError, match="page 2 repeats an earlier page token"):
            client.fetch()
    assert len(fake.requests) == 2


def test_gzip_pages_are_read_and_a_gzip_bomb_is_refused() -> None:
    with FakeCtgov(_studies(3), gzip=True) as fake:
        client, _ = _client(fake.url, page_size=2)
        assert len(client.fetch().studies) == 3
    with FakeCtgov(_studies(1), [Misbehave("bomb")]) as fake:
        client, _ = _client(fake.url, max_page_bytes=2**20)
        with pytest.raises(RegistryError, match="over 1 MB uncompressed"):
            client.fetch()


def test_retry_after_as_an_http_date() -> None:
    assert ctgov._retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert ctgov._retry_after("soon") is None and ctgov._retry_after(None) is None
