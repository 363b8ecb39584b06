"""Switches for services that other parts of caseflow provide (the sweep, the
clear-to-zero list, reports). The demo uses them when they are installed and says
so when they are not, instead of failing; each lookup is one small function so it
is obvious what to switch on.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any


def _module(name: str) -> Any | None:
    try:
        if importlib.util.find_spec(name) is None:
            return None
    except ModuleNotFoundError:
        return None
    return importlib.import_module(name)


def _function(module: str, name: str) -> Callable[..., Any] | None:
    mod = _module(module)
    fn = getattr(mod, name, None) if mod is not None else None
    return fn if callable(fn) else None


def sweep() -> Callable[..., Any] | None:
    """``sweep.sweep(app, as_of)``: one escalation pass (issue 4)."""
    return _function("caseflow.services.sweep", "sweep")


def signoff() -> Callable[..., Any] | None:
    """``clearlist.signoff(app, actor, entry_id, note)``: a supervisor's 销号 (issue 4)."""
    return _function("caseflow.services.clearlist", "signoff")


def reject() -> Callable[..., Any] | None:
    """``clearlist.reject(app, actor, entry_id, reason)``: sends an item back (issue 4)."""
    return _function("caseflow.services.clearlist", "reject")


def reports() -> Any | None:
    """``caseflow.services.reports`` (issue 5), when present."""
    return _module("caseflow.services.reports")
