"""The local engine's decision for one model call: from the messages so far to a reply (text,
tool calls and the metadata the turn loop's confidence model reads). Pure and deterministic.

`dispatch` decides which situation a message is in; `fresh` (a new request), `context` (answers,
corrections, offers, follow-ups) and `after_tools` (composing from tool results) handle each;
`core` holds what they share, `rules` the patterns and thresholds, `history` small readings of
the conversation. Each may import `core`, `rules` and `history`; only `dispatch` imports the
situations."""

from assistant.local.engine.core import EngineReply
from assistant.local.engine.dispatch import Engine
from assistant.local.engine.rules import READ_TOOLS

__all__ = ["READ_TOOLS", "Engine", "EngineReply"]
