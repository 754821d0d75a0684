"""The local engine: a deterministic, offline LangChain chat model for Switchboard.

It recognises the capability of each message from editable exemplars
(`knowledge/data/exemplars/`), extracts slots, calls the right tool, asks for what is missing,
answers knowledge questions extractively with citations and declines what is out of scope.
See docs/local-engine.md.
"""

from assistant.local.catalog import CatalogItem
from assistant.local.factory import make_local_model
from assistant.local.model import LocalChatModel
from assistant.local.recognizer import Recognition, Recognizer

__all__ = ["CatalogItem", "LocalChatModel", "Recognition", "Recognizer", "make_local_model"]
