"""The spellings a value may have in a source's words: a date (2023-06-30, 30 June 2023,
2023年6月30日), a number (1,200,000, 1.2 million, 120万, eight) and a place, and the matching that
finds a number only as a whole number. Used by the support checks (factbase/support.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any  # noqa: TID253

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
).split()
CHINESE_DIGITS = "零一二三四五六七八九十"

# Words in a citation note that say how a value was reached rather than quoting it.
CALCULATION_WORDS = ("calculated", "computed", "derived", "counted", "dated", "dateline", "publication date")

# Places written another way in the sources.
PLACE_SPELLINGS: dict[str, tuple[str, ...]] = {
    "united states": ("united states", "u.s.", "usa", "us ", "america", "美国"),
    "china": ("china", "chinese", "中国", "国内"),
    "beijing": ("beijing", "北京"),
    "shanghai": ("shanghai", "上海"),
    "tianjin": ("tianjin", "天津"),
    "chongqing": ("chongqing", "重庆"),
    "hong kong": ("hong kong", "香港"),
}

# Hosts whose pages are copies of someone else's (reposted filings, copied press releases and
# articles), digests and aggregators, and blogs or medical-tourism sites. A source at one of them
# must say so in its kind, and is never graded high.


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def date_spellings(value: Any, precision: str = "day") -> set[str]:
    """The ways a source may write a date at the given precision, lower-cased."""
    d = as_date(value)
    if d is None:
        return set()
    month, short = MONTHS[d.month - 1], MONTHS[d.month - 1][:3]
    y, m, day = d.year, d.month, d.day
    if precision == "year":
        out = {str(y), f"{y}年"}
    elif precision == "month":
        out = {
            f"{y}-{m:02d}",
            f"{month} {y}",
            f"{short} {y}",
            f"{short}. {y}",
            f"{month}, {y}",
            f"{y}年{m}月",
            f"{y}.{m}",
            f"{y}/{m:02d}",
        }
    else:
        out = {
            d.isoformat(),
            f"{day} {month} {y}",
            f"{day} {short} {y}",
            f"{month} {day}, {y}",
            f"{month} {day} {y}",
            f"{short}. {day}, {y}",
            f"{short} {day}, {y}",
            f"{y}年{m}月{day}日",
            f"{y}.{m:02d}.{day:02d}",
            f"{y}/{m:02d}/{day:02d}",
            f"{day:02d}/{m:02d}/{y}",
            f"{day}/{m}/{y}",
        }
    return {s.lower() for s in out}


def short_number(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def number_spellings(value: float) -> set[str]:
    """The ways a source may write an amount or a count: 1,200,000 / 1200000 / 1.2 million /
    1.2m / 120万 / 1,200k; 8 / eight / 8款 / 八款.
    """
    n = float(value)
    out: set[str] = set()
    if n == int(n):
        i = int(n)
        out |= {f"{i:,}", str(i)}
        if i < len(NUMBER_WORDS):
            out.add(NUMBER_WORDS[i])
        if i <= 10:
            out.add(CHINESE_DIGITS[i] + "款")
    else:
        out.add(short_number(n))
    for unit, words in ((1e9, ("billion", "bn")), (1e6, ("million", "m")), (1e3, ("thousand", "k"))):
        if n >= unit:
            scaled = short_number(n / unit)
            out |= {f"{scaled} {words[0]}", f"{scaled}{words[1]}", f"{scaled} {words[1]}"}
    if n >= 1e4:
        out.add(short_number(n / 1e4) + "万")
    if n >= 1e8:
        out.add(short_number(n / 1e8) + "亿")
    return {s.lower() for s in out}


def place_spellings(value: str) -> list[set[str]]:
    """One set of spellings per place a location names ("Rockville, Maryland and Beijing" names
    two; "China (multi-centre)" one); each place is matched by its first part.
    """
    places = []
    text = re.sub(r"\([^)]*\)", "", value)
    for part in re.split(r"\band\b|;|/", text):
        head = part.split(",")[0].strip().lower()
        if head:
            places.append(set(PLACE_SPELLINGS.get(head, (head,))))
    return places


CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"


def squash(text: str) -> str:
    """Lower-cased, one space between words, none beside a CJK character ("2025 年 7 月" = "2025年7月")."""
    text = re.sub(r"\s+", " ", text).strip().lower()
    return re.sub(rf"(?<={CJK}) | (?={CJK})", "", text)


def contains_number(text: str, spellings: set[str]) -> bool:
    """A number spelling found as a whole number: '8' is not found in '1822' or '2018'."""
    for s in spellings:
        for match in re.finditer(re.escape(s), text):
            before = text[match.start() - 1] if match.start() else " "
            after = text[match.end()] if match.end() < len(text) else " "
            if s[0].isdigit() and (before.isdigit() or before in ",."):
                continue
            if s[-1].isdigit() and (
                after.isdigit() or (after in ",." and text[match.end() + 1 : match.end() + 2].isdigit())
            ):
                continue
            if s[0].isalpha() and s.isascii() and before.isalpha():
                continue
            if s[-1].isalpha() and s.isascii() and after.isalpha():
                continue
            return True
    return False
