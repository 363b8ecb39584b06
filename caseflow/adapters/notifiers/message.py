"""The one thing every channel delivers (``AlertMessage``): defined with the other
ports in ``caseflow.services.ports``, re-exported here for the channels."""

from caseflow.services.ports import ALERT_KINDS, AlertKind, AlertMessage

__all__ = ["ALERT_KINDS", "AlertKind", "AlertMessage"]
