"""Where cartq finds and keeps things: the fact base, its cache, the trial registry.

Paths are strings here, not `pathlib` (whose import costs a lookup more than its own work), and
one module holds them all, so a page that asks whether there is a registry loads nothing more.
"""

from __future__ import annotations

import os

from cartq.errors import RegistryError


def default_data_path() -> str:
    here = os.path.dirname(os.path.realpath(__file__))  # the cartq package
    packaged = os.path.join(here, "data", "facts.yaml")  # inside a wheel
    if os.path.isfile(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(here)), "data", "facts.yaml")  # a checkout


def resolve_data_path(option: str | os.PathLike[str] | None) -> str:
    """`--data`, else CARTQ_DATA, else the fact base shipped with cartq."""
    if option:
        return os.path.expanduser(option)
    env = os.environ.get("CARTQ_DATA")
    if env:
        return os.path.expanduser(env)
    return default_data_path()


def cache_dir() -> str | None:
    """Where the cache lives, or None when there is nowhere safe: never a relative path."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return os.path.join(xdg, "cartq")
    home = os.environ.get("HOME", "")
    if not os.path.isabs(home):
        try:
            import pwd

            home = pwd.getpwuid(os.getuid()).pw_dir
        except (ImportError, KeyError):
            return None
        if not os.path.isabs(home):
            return None
    return os.path.join(home, ".cache", "cartq")


def registry_file() -> str:
    """$CARTQ_REGISTRY, else $XDG_DATA_HOME/cartq/registry.sqlite (~/.local/share by default).

    A relative XDG_DATA_HOME is ignored, as the XDG spec says, so the registry never lands in
    whatever directory cartq happens to run in."""
    if os.environ.get("CARTQ_REGISTRY"):
        return os.path.expanduser(os.environ["CARTQ_REGISTRY"])
    data = os.environ.get("XDG_DATA_HOME", "")
    if not os.path.isabs(data):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            raise RegistryError(
                "no home directory to keep the trial registry in", hint="set CARTQ_REGISTRY or pass --registry PATH"
            )
        data = os.path.join(home, ".local", "share")
    return os.path.join(data, "cartq", "registry.sqlite")
