"""The errors caseflow raises on purpose.

Every error a user can cause is a ``CaseflowError``: adapters print it as one line
and exit with its ``exit_code``; anything else is a bug and may show a traceback
under ``--debug``.

An error carries an English message template and its parameters, not a finished
sentence: ``NotFound("no work order #{id}", id=7, hint="see `caseflow ticket
list`")``. The template is the catalog's message id; the edge renders it in the
reader's language with :meth:`CaseflowError.render` (the CLI in its user's, a server
in its caller's, an alert in its recipient's). Parameters may themselves be
translatable (``caseflow.i18n.Text``, ``Bilingual``, or lists of them). Never build
the message with an f-string: the catalog tool could not see it and the test suite
fails (tests/test_i18n.py).
"""

from __future__ import annotations

from typing import Any

from caseflow.i18n import render


class CaseflowError(Exception):
    """A refused or impossible request, explained in one line."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.template = message
        self.hint_template = hint
        self.params = params

    def render(self, lang: str | None = None) -> str:
        """The message in ``lang`` (the current language when None)."""
        return render(self.template, self.params, lang)

    def render_hint(self, lang: str | None = None) -> str | None:
        return render(self.hint_template, self.params, lang) if self.hint_template else None

    def as_dict(self, lang: str | None = None) -> dict[str, str | None]:
        """``{"error", "hint"}`` as a server or a JSON client shows it."""
        return {"error": self.render(lang), "hint": self.render_hint(lang)}

    def line(self, lang: str | None = None) -> str:
        """Message and hint on one line, as the CLI prints it."""
        hint = self.render_hint(lang)
        return f"{self.render(lang)} ({hint})" if hint else self.render(lang)

    @property
    def message(self) -> str:
        return self.render()

    @property
    def hint(self) -> str | None:
        return self.render_hint()

    def __str__(self) -> str:
        return self.line()


class NotFound(CaseflowError):
    """An id, code or login that does not exist."""


class InvalidInput(CaseflowError):
    """Malformed input: a date, a duration, a credit code, a file row."""


class Refused(CaseflowError):
    """A well-formed request the rules do not allow now (illegal trigger, closed order...)."""


class IllegalTransition(Refused):
    """A trigger that does not apply to the case's current stage."""

    def __init__(self, message: str, *, allowed: list[str], trigger: str = "",
                 stage: str = "", hint: str | None = None, **params: Any) -> None:
        super().__init__(message, hint=hint, **params)
        self.allowed = allowed
        self.trigger = trigger
        self.stage = stage


class GuardFailed(Refused):
    """A transition whose preconditions do not hold; ``missing`` names what is lacking.

    ``orders`` (id, English title, Chinese title) and ``facts`` carry the same in
    structured form for interfaces that list them.
    """

    def __init__(self, message: str, *, missing: list[str], trigger: str = "",
                 stage: str = "", orders: list[tuple[int, str, str | None]] | None = None,
                 facts: list[str] | None = None, hint: str | None = None,
                 **params: Any) -> None:
        super().__init__(message, hint=hint, **params)
        self.missing = missing
        self.trigger = trigger
        self.stage = stage
        self.orders = orders or []
        self.facts = facts or []


class OrdersLeftOpen(Refused):
    """``case advance`` would leave optional work orders of the stage open: the user
    says whether to cancel them (``--cancel-open``) or keep them (``--keep-open``)."""

    def __init__(self, message: str, *, case_id: int, stage: str, ids: list[int],
                 hint: str | None = None, **params: Any) -> None:
        super().__init__(message, hint=hint, case=case_id, stage=stage,
                         orders=[f"#{i}" for i in ids], **params)
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


class EvidenceRequired(Refused):
    """The workflow or its escalation policy wants evidence on the order before it is
    closed (``point`` = "close") or its clear-list item signed off ("signoff")."""

    def __init__(self, message: str, *, ticket_id: int, point: str,
                 hint: str | None = None, **params: Any) -> None:
        super().__init__(message, hint=hint, ticket_id=ticket_id, **params)
        self.ticket_id = ticket_id
        self.point = point
