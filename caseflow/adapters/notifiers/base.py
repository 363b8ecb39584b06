"""What a delivery channel is, and how it reports failure: the ports are defined in
``caseflow.services.ports`` (services never import adapters); re-exported here."""

from caseflow.services.ports import Channel, DeliveryError, close_channels

__all__ = ["Channel", "DeliveryError", "close_channels"]
