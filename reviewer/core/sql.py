"""The few SQL expressions SQLite and PostgreSQL spell differently, each written once for both.

Core code builds every query with SQLAlchemy; where the two dialects agree it writes the expression
directly. Where they do not, it calls one of these, and the SQL each database understands is chosen when
the statement is compiled:

- `given_ids` / `given_texts`: a list of any length as one JSON parameter, usable in IN (…) and joins
  (SQLite json_each, PostgreSQL json_array_elements_text), so a selection of 100,000 documents is one
  statement and never hits a limit on parameters.
- `calendar_year` / `calendar_month`: "2023" and "2023-09" from a timestamp (strftime / to_char).
- `sortable` / `sortable_nocase`: text ordered by code point, as SQLite does, on PostgreSQL too (its
  default collation follows the server's locale), optionally ignoring case.
- `matches_wildcard`: a case-sensitive match with * and ? (GLOB / LIKE with escapes).

Strings joined with a separator need nothing of ours: SQLAlchemy's `func.aggregate_strings` is
group_concat on SQLite and string_agg on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    String,
    cast,
    literal,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class _json_items(FunctionElement[Any]):
    """The items of a JSON array parameter, as a table with one column named `value`."""

    name = "json_items"
    inherit_cache = True


@compiles(_json_items, "sqlite")
def _json_items_sqlite(element: _json_items, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(_json_items, "postgresql")
def _json_items_postgresql(element: _json_items, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_array_elements_text(CAST({compiler.process(element.clauses, **kw)} AS JSON))"


def given_ids(ids: Iterable[int]) -> Select[tuple[int]]:
    """SELECT of the given integers (one parameter however many), for `column.in_(given_ids(ids))`."""
    items = _json_items(json.dumps([int(i) for i in ids])).table_valued("value")
    return select(cast(items.c.value, Integer))


def given_texts(values: Iterable[str]) -> Select[tuple[str]]:
    """SELECT of the given strings (one parameter however many)."""
    items = _json_items(json.dumps(list(values))).table_valued("value")
    return select(cast(items.c.value, String))


class calendar_year(FunctionElement[str]):
    """'2023' from a timestamp (NULL for NULL)."""

    name = "calendar_year"
    type = String()
    inherit_cache = True


class calendar_month(FunctionElement[str]):
    """'2023-09' from a timestamp (NULL for NULL)."""

    name = "calendar_month"
    type = String()
    inherit_cache = True


@compiles(calendar_year, "sqlite")
def _year_sqlite(element: calendar_year, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y', {compiler.process(element.clauses, **kw)})"


@compiles(calendar_month, "sqlite")
def _month_sqlite(element: calendar_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(calendar_year, "postgresql")
def _year_postgresql(element: calendar_year, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY')"


@compiles(calendar_month, "postgresql")
def _month_postgresql(element: calendar_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


class sortable(FunctionElement[str]):
    """Text to ORDER BY, compared code point by code point on both databases."""

    name = "sortable"
    type = String()
    inherit_cache = True


class sortable_nocase(FunctionElement[str]):
    """Text to ORDER BY ignoring the case of letters."""

    name = "sortable_nocase"
    type = String()
    inherit_cache = True


@compiles(sortable, "sqlite")
def _sortable_sqlite(element: sortable, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)})"


@compiles(sortable_nocase, "sqlite")
def _sortable_nocase_sqlite(element: sortable_nocase, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)}) COLLATE NOCASE"


@compiles(sortable, "postgresql")
def _sortable_postgresql(element: sortable, compiler: SQLCompiler, **kw: Any) -> str:
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "C"'


@compiles(sortable_nocase, "postgresql")
def _sortable_nocase_postgresql(element: sortable_nocase, compiler: SQLCompiler, **kw: Any) -> str:
    return f'lower({compiler.process(element.clauses, **kw)}) COLLATE "C"'


class _wildcard_match(FunctionElement[bool]):
    """column, GLOB pattern, LIKE pattern: each database gets the pattern written for it."""

    name = "wildcard_match"
    type = Boolean()
    inherit_cache = True


@compiles(_wildcard_match, "sqlite")
def _wildcard_sqlite(element: _wildcard_match, compiler: SQLCompiler, **kw: Any) -> str:
    column, glob, _like = element.clauses
    return f"({compiler.process(column, **kw)} GLOB {compiler.process(glob, **kw)})"


@compiles(_wildcard_match, "postgresql")
def _wildcard_postgresql(element: _wildcard_match, compiler: SQLCompiler, **kw: Any) -> str:
    column, _glob, like = element.clauses
    return f"({compiler.process(column, **kw)} LIKE {compiler.process(like, **kw)} ESCAPE '\\')"


def matches_wildcard(column: SQLColumnExpression[str], pattern: str) -> ColumnElement[bool]:
    """`column` matches `pattern`, where * is any run of characters and ? any one; case-sensitive."""
    glob = pattern.replace("[", "[[]")
    like = (pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            .replace("*", "%").replace("?", "_"))
    return _wildcard_match(column, literal(glob, String()), literal(like, String()))
