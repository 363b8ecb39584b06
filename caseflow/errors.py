"""The errors caseflow raises on purpose.

Every error a user can cause is a ``CaseflowError``: adapters print its message as
one line and exit with its ``exit_code``; anything else is a bug and may show a
traceback under ``--debug``.
"""

from __future__ import annotations


class CaseflowError(Exception):
    """A refused or impossible request, explained in one line."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class NotFound(CaseflowError):
    """An id, code or login that does not exist."""


class InvalidInput(CaseflowError):
    """Malformed input: a date, a duration, a credit code, a file row."""


class Refused(CaseflowError):
    """A well-formed request the rules do not allow now (illegal trigger, closed order...)."""


class IllegalTransition(Refused):
    """A trigger that does not apply to the case's current stage."""

    def __init__(self, message: str, *, allowed: list[str], trigger: str = "",
                 stage: str = "") -> None:
        super().__init__(message)
        self.allowed = allowed
        self.trigger = trigger
        self.stage = stage


class GuardFailed(Refused):
    """A transition whose preconditions do not hold; ``missing`` names what is lacking.

    ``orders`` (id, English title, Chinese title) and ``facts`` carry the same in
    structured form so that an interface can say it in the user's language.
    """

    def __init__(self, message: str, *, missing: list[str], trigger: str = "",
                 stage: str = "", orders: list[tuple[int, str, str | None]] | None = None,
                 facts: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing = missing
        self.trigger = trigger
        self.stage = stage
        self.orders = orders or []
        self.facts = facts or []


class OrdersLeftOpen(Refused):
    """``case advance`` would leave optional work orders of the stage open: the user
    says whether to cancel them (``--cancel-open``) or keep them (``--keep-open``)."""

    def __init__(self, message: str, *, case_id: int, stage: str, ids: list[int]) -> None:
        super().__init__(message, hint="pass --cancel-open (cancel them, the --note recorded "
                                       "on each) or --keep-open (they stay open)")
        self.case_id = case_id
        self.stage = stage
        self.ids = ids


class PermissionDenied(CaseflowError):
    """The acting user's role does not allow the request."""


class Conflict(CaseflowError):
    """Somebody else changed the same record first; re-read and try again."""


class WorkflowDefinitionError(CaseflowError):
    """A workflow file that does not validate; the message names file, key and problem."""


class ConfigError(CaseflowError):
    """A configuration file or setting that cannot be used."""
