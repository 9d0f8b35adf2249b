"""The cache as a private, verified artefact (issue 15, items 6, 9, 10, 12, 13, 17, and the stat
shortcut of issue 16): a directory of ours with mode 0700, files of ours never reached through a
symlink, an identity (the content hash of the fact base) checked on every open, damage answered by
a rebuild, stale files cleaned up. Driven through `open_store`, as every command opens the store.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cartq.factbase import cache, guard
from cartq.factbase.cache import MAX_CACHE_FILES, CheckedStore, open_store
from cartq.factbase.store import Store

from .test_hostile_reader import tiny_text, write


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("CARTQ_NO_CACHE", raising=False)
    return home


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    return write(tmp_path, tiny_text(), "tiny.yaml")


def cache_files(home: Path) -> list[Path]:
    return sorted((home / "cartq").glob("*.sqlite"))


def definition(store: Store) -> str:
    (term,) = store.all("term")
    return str(term["definition"])


def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust a stat taken now: the racy window is for files changed within the last 2 s."""
    monkeypatch.setattr(cache, "RACY_NS", 0)


def no_validating(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(connection: sqlite3.Connection, path: Path, raw: bytes, key: dict[str, str]) -> None:
        raise AssertionError(f"{path} was validated again")

    monkeypatch.setattr(cache, "build_index", refuse)


def no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path) -> None:
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr(cache, "read_fact_base", refuse)


# ---- the stat shortcut (issue 16): a warm run neither reads nor hashes the fact base --------


def test_a_warm_run_does_not_read_the_fact_base(cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settled(monkeypatch)
    assert definition(open_store(facts)) == "A therapy."
    no_reading(monkeypatch)
    store = open_store(facts)
    assert isinstance(store, CheckedStore)
    assert definition(store) == "A therapy."


def test_a_just_written_fact_base_is_hashed_until_its_stat_settles(
    cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_store(facts)  # written a moment ago: its stat is not recorded
    (file,) = cache_files(cache_home)
    assert sqlite3.connect(file).execute("SELECT value FROM meta WHERE key = 'stat'").fetchone() == ("",)
    settled(monkeypatch)
    no_validating(monkeypatch)
    assert definition(open_store(facts)) == "A therapy."  # hashed: same content, stat recorded
    no_reading(monkeypatch)
    assert definition(open_store(facts)) == "A therapy."


def test_same_size_same_mtime_new_content_is_seen(
    cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settled(monkeypatch)
    open_store(facts)
    before = facts.stat()
    facts.write_text(tiny_text(definition="B therapy."), "utf-8")
    os.utime(facts, ns=(before.st_atime_ns, before.st_mtime_ns))  # ctime still moves
    assert facts.stat().st_size == before.st_size
    assert definition(open_store(facts)) == "B therapy."


def test_a_touched_fact_base_is_not_rebuilt(cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settled(monkeypatch)
    open_store(facts)
    os.utime(facts)
    no_validating(monkeypatch)
    assert definition(open_store(facts)) == "A therapy."
    no_reading(monkeypatch)
    assert definition(open_store(facts)) == "A therapy."  # the new stat was recorded


# ---- 6: a private, verified cache ----------------------------------------------------------


def test_the_cache_directory_is_private_and_the_file_is_ours(cache_home: Path, facts: Path) -> None:
    open_store(facts)
    assert stat.S_IMODE((cache_home / "cartq").stat().st_mode) == 0o700
    (file,) = cache_files(cache_home)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert file.stat().st_uid == os.geteuid()


def test_a_loose_cache_directory_of_ours_is_tightened(cache_home: Path, facts: Path) -> None:
    (cache_home / "cartq").mkdir(parents=True, mode=0o777)
    os.chmod(cache_home / "cartq", 0o777)
    assert isinstance(open_store(facts), CheckedStore)
    assert stat.S_IMODE((cache_home / "cartq").stat().st_mode) == 0o700


def forge(home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache for `facts` whose record says FORGED, consistent in every checksum."""
    settled(monkeypatch)
    open_store(facts)
    (file,) = cache_files(home)
    connection = sqlite3.connect(file)
    connection.create_function("cartq_checksum", 1, guard._checksum)
    connection.execute("UPDATE records SET data = replace(data, 'A therapy.', 'FORGED')")
    connection.execute("UPDATE records SET checksum = cartq_checksum(data)")
    connection.commit()
    connection.close()
    monkeypatch.setattr(cache, "RACY_NS", cache.RACY_NS)
    return file


def test_a_cache_directory_of_another_user_is_not_used(
    cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1.0.0: two users sharing XDG_CACHE_HOME: one planted a cache, the other printed its facts.
    forge(cache_home, facts, monkeypatch)
    settled(monkeypatch)
    monkeypatch.setattr(cache, "_euid", lambda: os.geteuid() + 1)  # the directory is not ours now
    store = open_store(facts)
    assert type(store) is Store  # built in memory
    assert definition(store) == "A therapy."


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_a_planted_cache_of_another_real_user_is_not_used(
    cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = forge(cache_home, facts, monkeypatch)
    settled(monkeypatch)
    os.chown(file, 65534, 65534)
    assert definition(open_store(facts)) == "A therapy."  # the file is not ours: rebuilt
    assert file.stat().st_uid == os.geteuid()
    file = forge(cache_home, facts, monkeypatch)
    settled(monkeypatch)
    os.chown(cache_home / "cartq", 65534, 65534)
    assert definition(open_store(facts)) == "A therapy."  # the directory is not ours: in memory


def test_a_symlinked_cache_directory_is_not_followed(cache_home: Path, facts: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    cache_home.mkdir()
    (cache_home / "cartq").symlink_to(elsewhere)
    assert type(open_store(facts)) is Store
    assert list(elsewhere.iterdir()) == []


def test_a_symlinked_cache_file_is_not_followed(
    cache_home: Path, facts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = forge(cache_home, facts, monkeypatch)
    settled(monkeypatch)
    outside = tmp_path / "outside.sqlite"
    os.replace(file, outside)
    file.symlink_to(outside)
    assert definition(open_store(facts)) == "A therapy."
    assert not file.is_symlink()


def test_a_cache_file_others_can_write_is_not_trusted(
    cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = forge(cache_home, facts, monkeypatch)
    settled(monkeypatch)
    os.chmod(file, 0o666)
    assert definition(open_store(facts)) == "A therapy."


def test_a_cache_built_by_other_code_is_not_used(
    cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forge(cache_home, facts, monkeypatch)
    settled(monkeypatch)
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    assert definition(open_store(facts)) == "A therapy."


def test_a_cache_of_other_bytes_is_not_used_even_with_the_same_stat(
    cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stat only skips hashing; when it differs the content hash decides.
    file = forge(cache_home, facts, monkeypatch)
    connection = sqlite3.connect(file)
    connection.execute("UPDATE meta SET value = 'x' WHERE key = 'stat'")
    connection.execute("UPDATE meta SET value = '00' WHERE key = 'digest'")
    connection.commit()
    connection.close()
    assert definition(open_store(facts)) == "A therapy."


# ---- 6: damage inside the cache file: a rebuild, never a traceback ------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE records SET data = '{not json'",
        'UPDATE records SET data = \'{"id": "car-t"}\'',  # valid JSON, wrong record
        "UPDATE records SET data = x'00ff'",
        "UPDATE records SET data = 7",
    ],
)
def test_a_bad_record_is_rebuilt_when_read(
    cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch, sql: str
) -> None:
    settled(monkeypatch)
    open_store(facts)
    (file,) = cache_files(cache_home)
    connection = sqlite3.connect(file)
    connection.execute(sql)
    connection.commit()
    connection.close()
    store = open_store(facts)  # meta is sound: the damage is found as the record is read
    assert definition(store) == "A therapy."
    assert store.get("term", "car-t") is not None
    assert definition(open_store(facts)) == "A therapy."  # the file was replaced


@pytest.mark.parametrize(
    "sql",
    ["UPDATE names SET label = x'35'", "UPDATE names SET norm = CAST(norm AS BLOB)", "UPDATE links SET field = x'00'"],
)
def test_a_name_or_link_of_another_type_is_rebuilt_when_read(
    cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch, sql: str
) -> None:
    # A damaged page can turn text into a blob or a number; the lookup layer expects text.
    settled(monkeypatch)
    sound = open_store(facts)
    expected = (sound.names("term"), sound.linked_to("source", "s1"))
    assert expected[0] and expected[1]
    (file,) = cache_files(cache_home)
    connection = sqlite3.connect(file)
    connection.execute(sql)
    connection.commit()
    connection.close()
    store = open_store(facts)
    assert (store.names("term"), store.linked_to("source", "s1")) == expected


@pytest.mark.parametrize("where", ["truncated", "extended", "page 2", "last page", "header"])
def test_damaged_pages_are_rebuilt(cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    settled(monkeypatch)
    open_store(facts)
    (file,) = cache_files(cache_home)
    data = bytearray(file.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    garbage = bytes(range(256)) * 16
    if where == "truncated":
        data = data[: len(data) // 2]
    elif where == "extended":
        data += garbage
    elif where == "header":
        data[20:100] = garbage[:80]
    else:
        start = page if where == "page 2" else len(data) - page
        data[start + 8 : start + page] = (garbage * 2)[: page - 8]
    file.write_bytes(bytes(data))
    os.chmod(file, 0o600)
    store = open_store(facts)
    assert definition(store) == "A therapy."
    assert [row[0] for row in store.exact("term", "cart")] in (["car-t"], [])
    assert store.meta("title") == "Tiny"


def test_damage_in_a_real_process_gives_the_record_and_no_traceback(cache_home: Path, facts: Path) -> None:
    code = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from cartq.factbase.cache import open_store
        print(open_store(Path(sys.argv[1])).all("term")[0]["definition"])
        """
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    subprocess.run([sys.executable, "-c", code, str(facts)], env=env, check=True, capture_output=True)
    (file,) = cache_files(cache_home)
    data = bytearray(file.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = b"\xff" * 4096  # a few KB of damage
    file.write_bytes(bytes(data)[: len(data)])
    proc = subprocess.run([sys.executable, "-c", code, str(facts)], env=env, capture_output=True, text=True)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "A therapy.\n", "")


# ---- 9: '#', '?' and '%' in the cache path ------------------------------------------------


@pytest.mark.parametrize("odd", ["a#b", "a?mode=rw", "a%20b", "a%"])
def test_odd_characters_in_the_cache_path(
    tmp_path: Path, facts: Path, monkeypatch: pytest.MonkeyPatch, odd: str
) -> None:
    # 1.0.0: the cache was never used (rebuilt every run); with '#' an empty file appeared outside it.
    settled(monkeypatch)
    home = tmp_path / odd
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    assert isinstance(open_store(facts), CheckedStore)
    no_reading(monkeypatch)
    assert isinstance(open_store(facts), CheckedStore)  # used, not rebuilt
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([odd, "tiny.yaml"])


# ---- 10: a cache directory we cannot enter -----------------------------------------------


def test_a_cache_directory_we_cannot_enter(cache_home: Path, facts: Path) -> None:
    # 1.0.0: a PermissionError traceback on every command. Mode 000 is the owner's choice: kept.
    locked = cache_home / "cartq"
    locked.mkdir(parents=True)
    os.chmod(locked, 0o000)
    if os.geteuid() == 0:  # root enters any directory: make it another user's, as `sudo cartq` leaves it
        os.chown(locked, 65534, 65534)
    try:
        store = open_store(facts)
        assert type(store) is Store
        assert definition(store) == "A therapy."
        assert stat.S_IMODE(locked.stat().st_mode) == 0o000
    finally:
        os.chmod(locked, 0o700)
    assert list(locked.iterdir()) == []


# ---- 12: a directory or another user's file named like a cache ----------------------------


def test_a_directory_named_like_the_cache_file(cache_home: Path, facts: Path) -> None:
    open_store(facts)
    (file,) = cache_files(cache_home)
    file.unlink()
    file.mkdir()
    (file / "inside").write_text("x")
    store = open_store(facts)
    assert definition(store) == "A therapy."
    assert type(store) is Store


def test_a_directory_or_foreign_file_named_like_a_stale_cache(cache_home: Path, facts: Path, tmp_path: Path) -> None:
    # 1.0.0: IsADirectoryError / PermissionError tracebacks when the stale cache was removed.
    (cache_home / "cartq").mkdir(parents=True, mode=0o700)
    stale_dir = cache_home / "cartq" / "0123456789abcdef.sqlite"
    stale_dir.mkdir()
    foreign = cache_home / "cartq" / "fedcba9876543210.sqlite"
    foreign.write_bytes(b"junk")
    if os.geteuid() == 0:
        os.chown(foreign, 65534, 65534)
    assert definition(open_store(facts)) == "A therapy."
    assert stale_dir.is_dir()  # not ours to empty
    assert not foreign.exists()


# ---- 13: temp files of killed builds; caches of vanished fact bases; a bounded directory --


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_files_of_killed_builds_are_removed(cache_home: Path, facts: Path, tmp_path: Path) -> None:
    directory = cache_home / "cartq"
    directory.mkdir(parents=True, mode=0o700)
    dead = directory / f"0123456789abcdef.sqlite.{dead_pid()}.x1y2z3.tmp"
    alive = directory / f"0123456789abcdef.sqlite.{os.getpid()}.a1b2c3.tmp"
    old = directory / f"0123456789abcdef.sqlite.{os.getpid()}.d4e5f6.tmp"
    for file in (dead, alive, old):
        file.write_bytes(b"x" * 1000)
    long_ago = time.time() - cache.STALE_TMP_SECONDS - 5
    os.utime(old, (long_ago, long_ago))
    open_store(facts)
    assert not dead.exists()
    assert alive.exists()  # a build still running
    assert not old.exists()  # running for longer than any build: a reused pid


def test_a_build_killed_by_sigkill_leaves_nothing_after_the_next_build(cache_home: Path, facts: Path) -> None:
    code = textwrap.dedent(
        """
        import os, signal, sys
        from pathlib import Path
        from cartq.factbase import cache
        real = cache.build_index
        def killed(*args):
            real(*args)
            os.kill(os.getpid(), signal.SIGKILL)
        cache.build_index = killed
        cache.open_store(Path(sys.argv[1]))
        """
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    proc = subprocess.run([sys.executable, "-c", code, str(facts)], env=env, capture_output=True)
    assert proc.returncode == -9
    assert len(list((cache_home / "cartq").glob("*.tmp"))) == 1
    other = write(facts.parent, tiny_text(), "other.yaml")
    open_store(other)
    assert list((cache_home / "cartq").glob("*.tmp")) == []


def test_ctrl_c_during_a_build_leaves_no_temp_file(
    cache_home: Path, facts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cache, "build_index", interrupted)
    with pytest.raises(KeyboardInterrupt):
        open_store(facts)
    assert list((cache_home / "cartq").iterdir()) == []


def test_a_fifo_named_like_the_cache_does_not_hang(cache_home: Path, facts: Path) -> None:
    open_store(facts)
    (file,) = cache_files(cache_home)
    file.unlink()
    os.mkfifo(file, 0o600)
    assert definition(open_store(facts)) == "A therapy."
    assert stat.S_ISREG(file.stat().st_mode)


def test_caches_of_fact_bases_that_are_gone_are_removed(cache_home: Path, facts: Path, tmp_path: Path) -> None:
    gone = write(tmp_path, tiny_text(), "gone.yaml")
    open_store(gone)
    gone.unlink()
    open_store(facts)
    assert len(cache_files(cache_home)) == 1


def test_cache_files_just_under_and_just_over_the_limit(cache_home: Path, tmp_path: Path) -> None:
    paths = [write(tmp_path, tiny_text(), f"f{i}.yaml") for i in range(MAX_CACHE_FILES + 1)]
    for i, path in enumerate(paths[:MAX_CACHE_FILES]):
        open_store(path)
        file = cache_files(cache_home)[-1]
        os.utime(file, (1_000_000 + i, 1_000_000 + i))  # built in this order
    assert len(cache_files(cache_home)) == MAX_CACHE_FILES
    oldest = min(cache_files(cache_home), key=lambda p: p.stat().st_mtime)
    open_store(paths[-1])
    assert len(cache_files(cache_home)) == MAX_CACHE_FILES
    assert not oldest.exists()


# ---- 17: a relative XDG_CACHE_HOME; no HOME and no passwd entry ---------------------------


def test_a_relative_xdg_cache_home_is_ignored(tmp_path: Path, facts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    open_store(facts)
    assert list(workdir.iterdir()) == []
    assert len(list((tmp_path / "home" / ".cache" / "cartq").glob("*.sqlite"))) == 1


@pytest.mark.parametrize("home", [None, "", "relative-home"])
def test_no_home_and_no_passwd_entry_builds_in_memory(
    tmp_path: Path, facts: Path, monkeypatch: pytest.MonkeyPatch, home: str | None
) -> None:
    import pwd

    def no_entry(uid: int) -> None:
        raise KeyError(uid)

    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    if home is None:
        monkeypatch.delenv("HOME", raising=False)
    else:
        monkeypatch.setenv("HOME", home)
    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    assert cache.cache_dir() is None
    store = open_store(facts)
    assert type(store) is Store
    assert definition(store) == "A therapy."
    assert list(workdir.iterdir()) == []
