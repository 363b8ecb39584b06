"""The phone board (手机看板): server-rendered pages for members, leads and supervisors.

``build_router(app)`` returns a FastAPI ``APIRouter`` that ``caseflow serve`` mounts
beside its JSON API. Pages call the services only (the same ones the command calls,
so the figures match ``caseflow report``), render Jinja2 templates with autoescape,
and use plain HTML forms: no script, no CDN, every asset vendored in this package,
because town intranets reach nothing outside.
"""

from caseflow.adapters.web.routes import build_router

__all__ = ["build_router"]
