"""Check records against a table's schema and build the arrow table, or say what does not fit.

A record fits when it has no unknown keys, every non-nullable column has a value, every value
has the column's type (ISO strings are accepted for dates and timestamps, naive datetimes are
taken as UTC), vocabulary columns use a listed value, and numbers lie in the column's range.
A batch with any misfit is never half-built: the caller gets the errors and no table.
"""

from __future__ import annotations

import datetime as dt
import numbers
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from schemas.columns import Column, TableSpec

INT_RANGES = {pa.int32(): (-(2**31), 2**31 - 1), pa.int64(): (-(2**63), 2**63 - 1)}


@dataclass(frozen=True)
class RecordError:
    """One record that does not fit its table's schema."""

    table: str
    index: int  # position of the record in the batch
    column: str | None
    message: str
    record_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.table}[{self.index}]"
        if self.record_id:
            where += f" (record_id={self.record_id})"
        if self.column:
            where += f".{self.column}"
        return f"{where}: {self.message}"


class _Misfit(ValueError):
    pass


def _int(value: Any, typ: pa.DataType) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise _Misfit(f"expected an integer, got {type(value).__name__} {value!r}")
    lo, hi = INT_RANGES[typ]
    if not lo <= int(value) <= hi:
        raise _Misfit(f"{value} does not fit {typ}")
    return int(value)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _Misfit(f"expected a date, got a datetime {value!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _Misfit(f"not an ISO date: {value!r}") from None
    raise _Misfit(f"expected a date, got {type(value).__name__} {value!r}")


def _timestamp(value: Any) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise _Misfit(f"not an ISO timestamp: {value!r}") from None
    if not isinstance(value, dt.datetime):
        raise _Misfit(f"expected a datetime, got {type(value).__name__} {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _value(value: Any, typ: pa.DataType, name: str) -> Any:
    """``value`` converted to what pyarrow needs for ``typ``, or :class:`_Misfit`."""
    if value is None:
        return None
    if pa.types.is_string(typ):
        if not isinstance(value, str):
            raise _Misfit(f"expected text, got {type(value).__name__} {value!r}")
        return value
    if pa.types.is_integer(typ):
        return _int(value, typ)
    if pa.types.is_floating(typ):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise _Misfit(f"expected a number, got {type(value).__name__} {value!r}")
        return float(value)
    if pa.types.is_boolean(typ):
        if not isinstance(value, bool):
            raise _Misfit(f"expected true/false, got {type(value).__name__} {value!r}")
        return value
    if pa.types.is_date32(typ):
        return _date(value)
    if pa.types.is_timestamp(typ):
        return _timestamp(value)
    if pa.types.is_list(typ):
        if isinstance(value, str | bytes | dict) or not hasattr(value, "__iter__"):
            raise _Misfit(f"expected a list, got {type(value).__name__} {value!r}")
        items = []
        for item in value:
            if item is None:
                raise _Misfit(f"null element in list {value!r}")
            items.append(_value(item, typ.value_type, name))
        return items
    if pa.types.is_struct(typ):
        if not isinstance(value, dict):
            raise _Misfit(f"expected a mapping, got {type(value).__name__} {value!r}")
        names = {typ.field(i).name for i in range(typ.num_fields)}
        extra = set(value) - names
        if extra:
            raise _Misfit(f"unknown keys {sorted(extra)} in {value!r}")
        return {typ.field(i).name: _value(value.get(typ.field(i).name), typ.field(i).type, name)
                for i in range(typ.num_fields)}
    raise _Misfit(f"unsupported type {typ}")  # pragma: no cover - schema bug


def _check_column(col: Column, value: Any) -> Any:
    if value is None:
        if not col.nullable:
            raise _Misfit("is required (not nullable) but missing/null")
        return None
    value = _value(value, col.type, col.name)
    allowed = col.allowed()
    if allowed is not None and value not in allowed:
        raise _Misfit(f"{value!r} is not in vocabulary {col.vocabulary!r}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if col.min is not None and value < col.min:
            raise _Misfit(f"{value} is below the minimum {col.min}")
        if col.max is not None and value > col.max:
            raise _Misfit(f"{value} is above the maximum {col.max}")
    return value


def check_records(spec: TableSpec, records: list[dict[str, Any]]
                  ) -> tuple[list[dict[str, Any]], list[RecordError]]:
    """The records converted to column values, and every misfit found."""
    names = set(spec.names)
    rows: list[dict[str, Any]] = []
    errors: list[RecordError] = []
    for i, rec in enumerate(records):
        rid = rec.get("record_id") if isinstance(rec, dict) else None
        rid = rid if isinstance(rid, str) else None
        if not isinstance(rec, dict):
            errors.append(RecordError(spec.name, i, None, f"not a mapping: {type(rec).__name__}"))
            continue
        unknown = sorted(set(rec) - names)
        if unknown:
            errors.append(RecordError(spec.name, i, None, f"unknown columns {unknown}", rid))
        row = {}
        for col in spec.columns:
            try:
                row[col.name] = _check_column(col, rec.get(col.name))
            except _Misfit as exc:
                errors.append(RecordError(spec.name, i, col.name, str(exc), rid))
        if "char_start" in row and "char_end" in row and None not in (row["char_start"],
                                                                      row["char_end"]):
            if row["char_end"] < row["char_start"]:
                errors.append(RecordError(spec.name, i, "char_end", "char_end < char_start", rid))
        rows.append(row)
    return rows, errors
