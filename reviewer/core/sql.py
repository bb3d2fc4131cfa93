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


def _spelled(element: type[FunctionElement[Any]], **templates: str) -> None:
    """Compile `element` on each dialect from its template, in which {} stands for the arguments."""
    for dialect, template in templates.items():
        def compile_on(node: FunctionElement[Any], compiler: SQLCompiler, template: str = template,
                       **kw: Any) -> str:
            return template.format(compiler.process(node.clauses, **kw))

        compiles(element, dialect)(compile_on)


class _json_items(FunctionElement[Any]):
    """The items of a JSON array parameter, as a table with one column named `value`."""

    name = "json_items"
    inherit_cache = True


_spelled(_json_items, sqlite="json_each({})", postgresql="json_array_elements_text(CAST({} AS JSON))")


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


_spelled(calendar_year, sqlite="strftime('%Y', {})", postgresql="to_char({}, 'YYYY')")
_spelled(calendar_month, sqlite="strftime('%Y-%m', {})", postgresql="to_char({}, 'YYYY-MM')")
_spelled(sortable, sqlite="({})", postgresql='({}) COLLATE "C"')
_spelled(sortable_nocase, sqlite="({}) COLLATE NOCASE", postgresql='lower({}) COLLATE "C"')


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
