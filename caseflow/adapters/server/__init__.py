"""The town server: ``caseflow serve`` (FastAPI on uvicorn) over the same services.

``create_app(app)`` builds the ASGI application; every router named in
``routers.ROUTERS`` is included, so a new set of pages or endpoints is one line there.
"""

from caseflow.adapters.server.factory import create_app

__all__ = ["create_app"]
