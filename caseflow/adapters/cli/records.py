"""The ``--json`` data of a use case, read back as objects for the renderers.

Local and remote mode both hand the renderers this: the result in the shape
``--json`` prints (from the service, or from the server), wrapped so that
``ticket.due_at`` is a datetime again and ``ticket.display_title(lang)`` works. One
renderer, whichever side ran the use case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def _is_instant_key(key: str) -> bool:
    return key == "at" or key.endswith("_at") or key in ("as_of", "since")


class Record:
    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        try:
            value = self._data[name]
        except KeyError:
            raise AttributeError(name) from None
        return wrap(value, name)

    def __getitem__(self, name: str) -> Any:
        return self._data[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._data.get(name, default)

    # a Record is also a read-only mapping (e.g. ``per_team.items()``)
    def items(self) -> Any:
        return self._data.items()

    def keys(self) -> Any:
        return self._data.keys()

    def values(self) -> Any:
        return self._data.values()

    def __iter__(self) -> Any:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def as_dict(self) -> dict[str, Any]:
        return self._data

    def display_title(self, lang: str) -> str:
        zh = self._data.get("title_zh")
        return zh if lang.startswith("zh") and zh else self._data["title"]

    def stage_label(self, lang: str) -> str:
        return self._data["stage_label_zh"] if lang.startswith("zh") \
            else self._data["stage_label_en"]

    def __repr__(self) -> str:
        return f"Record({self._data!r})"


def wrap(value: Any, key: str = "") -> Any:
    """JSON data → Records, with ISO instants under ``*_at`` keys as datetimes."""
    if isinstance(value, dict):
        return Record(value)
    if isinstance(value, list):
        return [wrap(v, key) for v in value]
    if isinstance(value, str) and _is_instant_key(key) and "T" in value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value
