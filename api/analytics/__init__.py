"""Operator analytics (docs/analytics.md): the period report (`period_report.py`: automation
rate, containment, handoffs, actions, latency, tokens and cost, by day and by channel), the
satisfaction surveys and thumbs (`satisfaction.py`), both over the period's conversations as
loaded in `conversations.py`."""

from api.analytics.conversations import LoadedConversation, load_conversations
from api.analytics.period_report import AUTOMATION_TARGET, Report, default_period, report
from api.analytics.satisfaction import Satisfaction, ScaleSummary, satisfaction

__all__ = [
    "AUTOMATION_TARGET",
    "LoadedConversation",
    "Report",
    "Satisfaction",
    "ScaleSummary",
    "default_period",
    "load_conversations",
    "report",
    "satisfaction",
]
