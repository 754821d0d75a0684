"""Switchboard's foundation: settings, errors, logging, storage and the command line."""

from switchboard.errors import ConfigError, SwitchboardError
from switchboard.settings import Settings, get_settings

__all__ = ["ConfigError", "Settings", "SwitchboardError", "get_settings"]
