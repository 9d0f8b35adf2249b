"""Exception types and the exit codes they map to, in one place (as httpie's ExitStatus)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    NOT_FOUND = 1
    USAGE = 2
    BAD_FACT_BASE = 3
    REGISTRY = 4
    OUTPUT = 5
    INTERRUPTED = 130


class CartqError(Exception):
    """An error the user can act on: one line on stderr, then the exit code."""

    exit_code: ExitCode = ExitCode.NOT_FOUND

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotFound(CartqError):
    """No record matched, or several matched too closely to choose."""

    exit_code = ExitCode.NOT_FOUND

    def __init__(self, message: str, suggestions: list[str] | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.suggestions = suggestions or []


class UsageError(CartqError):
    exit_code = ExitCode.USAGE


class FactBaseError(CartqError):
    """The fact base is missing, unreadable or invalid; `problems` lists what is wrong and where."""

    exit_code = ExitCode.BAD_FACT_BASE

    def __init__(self, message: str, problems: list[str] | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.problems = problems or []


class RegistryError(CartqError):
    """The trial registry could not be fetched (offline, timeouts, garbage from the API) or read."""

    exit_code = ExitCode.REGISTRY


class OutputError(CartqError):
    """The result could not be written completely (a full disk, a device that refuses it)."""

    exit_code = ExitCode.OUTPUT
