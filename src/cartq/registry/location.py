"""Where the trial registry lives, without importing the registry store: every product, target,
indication and company page asks whether there is a registry to count studies in."""

from __future__ import annotations

import os

from cartq.errors import RegistryError


def default_file() -> str:
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
