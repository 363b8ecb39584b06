"""Optimistic updates: ``update_versioned`` and the ``Conflict`` a lost race raises.

They live with the one unit of work (``caseflow.persistence.uow``); this module keeps
the names importable from where the hot paths first found them.
"""

from caseflow.persistence.uow import stale, update_versioned

__all__ = ["stale", "update_versioned"]
