"""caseflow: workflow and work-order engine for the town task forces of 工改.

Layers, from the inside out:

- ``caseflow.domain``: workflow definitions, lifecycle, calendar, rules. No I/O.
- ``caseflow.persistence``: SQLModel tables, engine and sessions, alembic migrations.
- ``caseflow.services``: one function per use case, one transaction each; permissions.
- ``caseflow.adapters``: CLI, scheduler, notifiers, import/export. They call services only.
"""

__version__ = "0.1.0"
