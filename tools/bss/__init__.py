"""The TMF client the tools share: `BssClient`, its typed models and errors."""

from tools.bss.client import BssClient, make_bss_client
from tools.bss.errors import (
    BssBusinessError,
    BssConflictError,
    BssError,
    BssNotFoundError,
    BssProtocolError,
    BssUnavailableError,
)
from tools.bss.models import LineFeatures

__all__ = [
    "BssBusinessError",
    "BssClient",
    "BssConflictError",
    "BssError",
    "BssNotFoundError",
    "BssProtocolError",
    "BssUnavailableError",
    "LineFeatures",
    "make_bss_client",
]
