"""A knowledge document: an article or a rendered catalog offering, with its front matter."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CustomerType = Literal["prepaid", "postpaid", "business"]
CUSTOMER_TYPES: tuple[CustomerType, ...] = ("prepaid", "postpaid", "business")


class Document(BaseModel):
    """One source document. `customer_types` is the set of segments it applies to."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$")
    title: str = Field(min_length=1, max_length=300)
    url: str = Field(min_length=1, max_length=2000)
    body: str = Field(min_length=1)
    tags: tuple[str, ...] = ()
    locale: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    customer_types: tuple[CustomerType, ...] = CUSTOMER_TYPES
    capability: str | None = None
    source: str = "articles"
    path: str = ""

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(t.strip() for t in value.split(",") if t.strip())
        if isinstance(value, list | tuple):  # YAML reads `[voicemail, 222]` with a number
            return tuple(str(t).strip() for t in value if str(t).strip())
        return value


def parse_customer_types(value: object) -> tuple[CustomerType, ...]:
    """`all`, one segment, or a list of segments -> the segments; ValueError otherwise."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise ValueError("customer_type must be all, prepaid, postpaid, business or a list of them")
    segments: list[CustomerType] = []
    for item in items:
        name = str(item).strip().lower()
        if name == "all":
            return CUSTOMER_TYPES
        if name not in CUSTOMER_TYPES:
            raise ValueError(f"unknown customer_type {item!r}")
        segments.append(name)  # type: ignore[arg-type]
    return tuple(s for s in CUSTOMER_TYPES if s in segments)
