"""Storage: tables, engines and the event log."""

from switchboard.db.engine import make_engine, make_sessionmaker
from switchboard.db.models import Base

__all__ = ["Base", "make_engine", "make_sessionmaker"]
