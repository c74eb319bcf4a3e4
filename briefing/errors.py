"""One error family for a user's mistakes; the CLI turns each into a one-line message and an exit code."""
from __future__ import annotations

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_ERROR = 1  # an unexpected failure (a bug): the traceback is kept
EXIT_USAGE = 2  # bad input: nothing usable, a wrong name, a bad flag value
EXIT_PARTIAL = 3  # a briefing was written, but some inputs were skipped
EXIT_NOT_SENT = 4  # the digest was made but not delivered to every recipient yet: it waits in the outbox
EXIT_REJECTED = 5  # the mail server refused a recipient (or the message) for good: not retried


class BriefError(Exception):
    """A problem the user can fix; carries a one-line message and an exit code."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code


class NoArticles(BriefError):
    """No input gave a usable article."""


class NothingNew(BriefError):
    """A stage found nothing new to brief (the daily job's pre-selection): exit 2, as for no input."""


class UnknownName(BriefError):
    """A model, format or template name that does not exist."""

    def __init__(self, kind: str, name: str, valid: list[str]):
        super().__init__(f"unknown {kind} {name!r}; valid {kind}s: {', '.join(valid)}")
        self.valid = valid


class ModelError(BriefError):
    """A model that can't be found or loaded."""


def unexpected(e: BaseException) -> str:
    """The skip reason for an error no rule foresaw inside one source: its kind and first words, one line.
    One source's surprise is that source's skip, never the run's end."""
    return " ".join(f"unexpected error: {type(e).__name__}: {e}".split())[:300]
