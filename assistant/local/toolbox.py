"""The tools bound to the model, read from their JSON schemas at bind time.

The engine thinks in canonical slot names (`amount`, `plan_id`, `enabled`...); a tool's schema
may call them something else (`offer_id`, `state: on|off`). `ToolBox.args` maps each canonical
slot onto the schema's property names and enum values, so the engine follows the schema the
tools publish instead of hard-coding it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "amount": (
        "amount",
        "value",
        "amount_gbp",
        "cap",
        "limit",
        "monthly_cap",
        "cap_amount",
        "monthly_limit",
    ),
    "currency": ("currency",),
    "plan_id": ("plan_id", "offer_id", "offering_id", "product_offering_id", "plan", "plan_name"),
    "addon_id": (
        "addon_id",
        "add_on_id",
        "offer_id",
        "offering_id",
        "product_offering_id",
        "addon",
    ),
    "enabled": ("enabled", "enable", "on", "active", "state", "status"),
    "feature": ("feature", "call_feature", "feature_name"),
    "forward_to": (
        "forward_to",
        "target",
        "target_number",
        "forward_number",
        "destination",
        "number",
    ),
    "condition": ("condition", "when", "mode", "forwarding_type"),
    "day": ("day", "day_of_month", "payment_day"),
    "postcode": ("postcode", "post_code", "postal_code", "area"),
    "bill_id": ("bill_id", "invoice_id", "bill"),
    "kind": ("kind", "request_type", "type", "service_type", "request_kind"),
    "fault_kind": ("kind", "fault_kind", "category"),
    "port_msisdn": ("port_msisdn", "port_number"),
    "pac_code": ("pac_code", "pac"),
    "item_id": ("item_id", "line_item_id", "charge_id"),
    "reason_text": ("reason",),
    "reason": ("reason", "reason_code", "code"),
    "summary": ("summary", "notes", "context", "handoff_summary"),
    "query": ("query", "question", "q", "text", "search"),
    "description": ("description", "details", "problem", "issue", "reason"),
    "msisdn": ("msisdn", "line", "line_msisdn", "phone_number", "number"),
    "period": ("period", "month"),
    "offer_kind": ("kind", "category", "type", "offer_type"),
    "remove": ("remove", "clear", "none"),
}


@dataclass(frozen=True, slots=True)
class ToolSchema:
    name: str
    properties: Mapping[str, Any]
    required: tuple[str, ...]


class ToolBox:
    """The bound tools. With no tools bound, every tool is assumed, with canonical arg names."""

    def __init__(self, tools: Sequence[Mapping[str, Any]] | None) -> None:
        self._tools: dict[str, ToolSchema] = {}
        self.bound = bool(tools)
        for tool in tools or ():
            fn = tool.get("function", tool)
            params = fn.get("parameters") or {}
            self._tools[fn["name"]] = ToolSchema(
                fn["name"], params.get("properties") or {}, tuple(params.get("required") or ())
            )

    def has(self, name: str) -> bool:
        return not self.bound or name in self._tools

    def args(self, name: str, slots: Mapping[str, Any]) -> dict[str, Any]:
        """`slots` (canonical names) as arguments of tool `name`, following its schema."""
        clean = {k: v for k, v in slots.items() if v is not None}
        schema = self._tools.get(name)
        if schema is None:
            return clean
        out: dict[str, Any] = {}
        for prop, spec in schema.properties.items():
            for canonical, value in clean.items():
                if prop in _SYNONYMS.get(canonical, (canonical,)) and prop not in out:
                    converted = _convert(value, spec)
                    if converted is not None:
                        out[prop] = converted
                    break
        return out

    def missing(self, name: str, args: Mapping[str, Any]) -> list[str]:
        schema = self._tools.get(name)
        return [p for p in schema.required if p not in args] if schema else []


def _convert(value: Any, spec: Mapping[str, Any]) -> Any:
    spec = _first_variant(spec)
    enum = spec.get("enum")
    kind = spec.get("type")
    if isinstance(value, bool):
        if kind == "boolean" or (enum is None and kind is None):
            return value
        if enum:
            wanted = (
                ("on", "enabled", "enable", "true", "yes")
                if value
                else ("off", "disabled", "disable", "false", "no")
            )
            return next((e for e in enum if str(e).lower() in wanted), None)
        return "on" if value else "off"
    if enum:
        if value in enum:
            return value
        text = str(value).lower().replace("-", "_")
        options = {str(e).lower().replace("-", "_"): e for e in enum}
        for key, original in options.items():
            if text in key or key in text:
                return original
        close = difflib.get_close_matches(text, list(options), n=1, cutoff=0.5)
        return options[close[0]] if close else None
    if kind in {"number", "integer"} and isinstance(value, str):
        try:
            return int(value) if kind == "integer" else float(value)
        except ValueError:
            return None
    if kind == "integer" and isinstance(value, float):
        return int(value)
    if kind == "string" and isinstance(value, int | float):
        return f"{value:g}"
    return value


def _first_variant(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    for key in ("anyOf", "oneOf"):
        variants = [v for v in spec.get(key, ()) if v.get("type") != "null"]
        if variants:
            merged = dict(variants[0])
            merged.update({k: v for k, v in spec.items() if k not in {"anyOf", "oneOf"}})
            return merged
    return spec
