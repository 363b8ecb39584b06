"""Alembic environment: migrations run on the connection caseflow hands over."""

from __future__ import annotations

from alembic import context

from caseflow.persistence.models import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic` command line used by developers: build from the URL
    from caseflow.config import load_settings
    from caseflow.persistence.db import make_engine

    url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
    engine = make_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
