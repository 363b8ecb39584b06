"""The routers ``create_app`` includes, in order: add yours here (``module:attribute``).

A router reaches the composition root as ``request.app.state.caseflow`` and the
signed-in person through the dependencies in ``caseflow.adapters.server.auth``
(``current_actor`` for the bearer token; pages may add their own session
dependency that resolves to the same ``Actor``).
"""

ROUTERS: list[str] = [
    "caseflow.adapters.server.api:router",  # /api/v1: sign-in and every use case
    "caseflow.adapters.web.routes:router",  # the phone board's pages (issue 13)
]
