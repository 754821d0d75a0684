"""Reading a TMF document into a typed model: the one `from_tmf` every resource model shares.

A model lists, field by field, where its value lives in the wire shape (`tmf = {...}`); a
reader is a path (`at("billingAccount", "id")`) or any function of the document. Paths read
liberally (a missing or null step gives the default, unknown fields are ignored), so the same
models work against the built-in simulator and an operator's BSS."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict

Doc = dict[str, Any]
Reader = Callable[[Doc], Any]
Step = str | int | Mapping[str, str]  # a key, a list index, or a filter on a list's entries
FieldMap = Mapping[str, Reader]  # field name -> where its value lives in the document
ZERO = Decimal("0.00")


class Frozen(BaseModel):
    """An immutable view; fields the wire carries but the view does not name are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class TmfModel(Frozen):
    """A resource read from its TMF document by the field map `tmf`."""

    tmf: ClassVar[FieldMap] = {}

    @classmethod
    def from_tmf(cls, doc: Doc, **fields: Any) -> Self:
        """The model of `doc`; `fields` supply what the document itself does not carry."""
        return cls(**{name: read(doc) for name, read in cls.tmf.items()}, **fields)


def dig(value: Any, *path: Step) -> Any:
    """`value` followed along `path`: a key of an object, an index into a list, or a filter
    (`{"name": "minimumTerm"}`: the list's first entry with those values); None where it ends."""
    for step in path:
        if isinstance(step, str):
            value = value.get(step) if isinstance(value, dict) else None
        elif isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = (
                next((e for e in value if _matches(e, step)), None)
                if isinstance(value, list)
                else None
            )
        if value is None:
            return None
    return value


def _matches(entry: Any, wanted: Mapping[str, str]) -> bool:
    return isinstance(entry, dict) and all(entry.get(k) == v for k, v in wanted.items())


def at(*path: Step, default: Any = None) -> Reader:
    """The value at `path`, or `default` where there is none."""

    def read(doc: Doc) -> Any:
        value = dig(doc, *path)
        return default if value is None else value

    return read


def to_datetime(value: Any) -> datetime | None:
    """An ISO 8601 instant (`Z` or an offset); None for nothing or an unreadable one."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def to_decimal(value: Any) -> Decimal | None:
    """An amount to the penny; None for nothing, a boolean or a non-number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        return None


def date_at(*path: Step) -> Reader:
    """The instant at `path` (see `to_datetime`)."""
    return lambda doc: to_datetime(dig(doc, *path))


def amount_at(*path: Step, or_zero: bool = False) -> Reader:
    """The amount at `path` (see `to_decimal`); with `or_zero`, 0.00 where there is none."""
    if or_zero:
        return lambda doc: to_decimal(dig(doc, *path)) or ZERO
    return lambda doc: to_decimal(dig(doc, *path))


def characteristic_values(doc: Doc, key: str = "productCharacteristic") -> dict[str, Any]:
    """A TMF characteristic list (`[{name, value}]`) as a dict."""
    return {str(c.get("name")): c.get("value") for c in doc.get(key) or [] if c.get("name")}


def characteristic(name: str, key: str = "productCharacteristic") -> Reader:
    """The value of one characteristic."""
    return lambda doc: characteristic_values(doc, key).get(name)


def owner(doc: Doc) -> str | None:
    """The id of the customer among the document's related parties."""
    for party in doc.get("relatedParty") or []:
        if party.get("@referredType") == "Customer" or party.get("role") == "customer":
            return str(party.get("id"))
    return None


def note_texts(doc: Doc) -> list[str]:
    """The texts of the document's notes."""
    return [n.get("text", "") for n in doc.get("note") or []]
