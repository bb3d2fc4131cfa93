"""The review query language (dtSearch/Relativity style) parsed into a small syntax tree.

The tree says exactly what a query means and nothing about how it is run: the text parts go to a
SearchBackend, the structured filters to SQLite (see service.py). A malformed query raises
QuerySyntaxError naming what is wrong and the column where it is, never a guess.

Precedence, loosest first: OR, AND (a space is AND), NOT, w/N and pre/N, then words, phrases, fields
and parentheses. So `a b OR c` is `(a AND b) OR c`, and `NOT a w/5 b` is `NOT (a w/5 b)`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from reviewer.core.errors import ReviewerError
from reviewer.core.search.analysis import MAX_DISTANCE, WORD, is_one_word, words

DEFAULT_FIELD = "text"
TEXT_FIELDS = ("from", "to", "cc", "bcc", "subject", "author", "title", "filename")
DATE_FIELDS = ("date", "sent", "created", "modified")
NUMBER_FIELDS = ("pages", "similarity")
VALUE_FIELDS = ("custodian", "ext", "type", "control", "bates", "tag", "has", "is", "family", "saved",
                "thread", "near", "batch", "qc", "issue")
# Fields that name something (in quotes when it has spaces) and then compare a number with it.
SCORE_FIELDS = ("score",)
PEOPLE_FIELDS = ("person", "domain")  # casebuild/people_query.py answers them
PAIR_FIELDS = ("between",)  # a field that takes two values: between:("Person A", "Person B")
ALIASES = {"kind": "type", "file": "filename", "sender": "from"}
HAS_VALUES = ("notes", "tags", "attachments", "highlights")
IS_VALUES = ("duplicate", "attachment", "inclusive", "principal")
MAX_FUZZY = 2

WordKind = Literal["exact", "wildcard", "fuzzy"]


class QuerySyntaxError(ReviewerError):
    """A query that cannot be read; `column` is 1-based."""

    def __init__(self, what: str, column: int, hint: str = "") -> None:
        message = f"{what} at column {column}" if column else what
        super().__init__(f"{message}: {hint}" if hint else message)
        self.what, self.column, self.hint = what, column, hint


# --- the syntax tree --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Word:
    field: str
    text: str  # lowercased; keeps * and ? for wildcards
    kind: WordKind = "exact"
    distance: int = 0  # edit distance for fuzzy words
    column: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True)
class Phrase:
    field: str
    words: tuple[Word, ...]
    column: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True)
class Near:
    """`left w/N right` (either order) or `left pre/N right` (left first); positions differ by at most N.
    Negated (`left NOT w/N right`): an occurrence of left with no right within N words."""

    left: Positional
    right: Positional
    distance: int
    ordered: bool = False
    negated: bool = False
    column: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Match:
    """A review-state or metadata filter answered from the database: tag:"x", custodian:y, is:duplicate…"""

    field: str
    value: str
    quoted: bool = False
    column: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True)
class DateRange:
    """start <= date < end (naive UTC); None is open."""

    field: str
    start: datetime | None
    end: datetime | None
    column: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True)
class NumberRange:
    """low <= value <= high; None is open."""

    field: str
    low: int | None
    high: int | None
    column: int = dataclasses.field(default=0, compare=False)


Positional = Word | Phrase | Near | Or
@dataclass(frozen=True)
class LabelRange:
    """low <= label <= high for Bates numbers, which compare as text within one series."""

    field: str
    low: str
    high: str
    column: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True)
class MatchPair:
    """A filter on two values at once, such as between:("Person A", "Person B")."""

    field: str
    values: tuple[str, str]
    column: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True)
class ScoreComparison:
    """`score:"Responsive">=70`: documents whose prioritized-review score for a tag compares so (0–100)."""

    field: str
    name: str
    op: str  # >= <= > < =
    value: float
    column: int = dataclasses.field(default=0, compare=False)


Filter = Match | DateRange | NumberRange | LabelRange | ScoreComparison | MatchPair
Node = (Word | Phrase | Near | And | Or | Not | Match | DateRange | NumberRange | LabelRange | ScoreComparison
        | MatchPair)
TEXT_NODES = (Word, Phrase, Near)
FILTER_NODES = (Match, DateRange, NumberRange, LabelRange, ScoreComparison, MatchPair)


def is_text(node: Node) -> bool:
    """True when the whole subtree can be answered by the text index alone."""
    if isinstance(node, TEXT_NODES):
        return True
    if isinstance(node, And | Or):
        return all(is_text(child) for child in node.children)
    if isinstance(node, Not):
        return is_text(node.child)
    return False


# --- lexing ----------------------------------------------------------------------------------------
@dataclass
class _Lexeme:
    kind: str  # ( ) AND OR NOT NEAR WORD PHRASE FIELD COMPARE RANGE END
    text: str
    column: int
    distance: int = 0
    ordered: bool = False
    op: str = ""
    value: str = ""
    value_column: int = 0


_NEAR = re.compile(r"(w|pre)/(\d+)", re.IGNORECASE)
_NEAR_LIKE = re.compile(r"(w|pre)/", re.IGNORECASE)
_COMPARE = re.compile(r"([A-Za-z]+)(>=|<=|>|<|=)(.*)", re.DOTALL)
_FIELD = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_STOP = set(" \t\r\n()\"")


def _canonical_field(name: str) -> str | None:
    name = name.lower()
    name = ALIASES.get(name, name)
    known = TEXT_FIELDS + DATE_FIELDS + NUMBER_FIELDS + VALUE_FIELDS + SCORE_FIELDS + PEOPLE_FIELDS \
        + PAIR_FIELDS
    return name if name in known else None


def _lex(query: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        column = i + 1
        if char.isspace():
            i += 1
        elif char in "()":
            out.append(_Lexeme(char, char, column))
            i += 1
        elif char == '"':
            close = query.find('"', i + 1)
            if close < 0:
                raise QuerySyntaxError("Unbalanced quote", column, 'the " opened there is never closed')
            out.append(_Lexeme("PHRASE", query[i + 1:close], column))
            i = close + 1
            if i < n and query[i] == "~":
                raise QuerySyntaxError("A phrase cannot be fuzzy", i + 1,
                                       "for words near each other use w/N, e.g. acme w/5 merger")
        elif char == "[":
            close = query.find("]", i + 1)
            if close < 0:
                raise QuerySyntaxError("Unclosed range", column, "the [ opened there has no ]")
            out.append(_Lexeme("RANGE", query[i + 1:close], column))
            i = close + 1
        else:
            end = i
            while end < n and query[end] not in _STOP:
                if query[end] == ":" and end + 1 < n and query[end + 1] == "[":
                    end += 1
                    break
                end += 1
            out.extend(_classify(query[i:end], column))
            i = end
    out.append(_Lexeme("END", "", n + 1))
    return out


def _classify(run: str, column: int) -> list[_Lexeme]:
    upper = run.upper()
    if upper in ("AND", "OR", "NOT"):
        return [_Lexeme(upper, run, column)]
    near = _NEAR.fullmatch(run)
    if near:
        distance = int(near.group(2))
        if not 1 <= distance <= MAX_DISTANCE:
            raise QuerySyntaxError(f"Bad distance in '{run}'", column, f"use 1 to {MAX_DISTANCE} words")
        ordered = near.group(1).lower() == "pre"
        return [_Lexeme("NEAR", run, column, distance=distance, ordered=ordered)]
    if _NEAR_LIKE.match(run):
        raise QuerySyntaxError(f"'{run}' is not a proximity operator", column,
                               f'write w/5 or pre/5; to search for the text itself, quote it: "{run}"')
    compare = _COMPARE.fullmatch(run)
    if compare and _canonical_field(compare.group(1)):
        if not compare.group(3):
            raise QuerySyntaxError(f"'{run}' has no value", column, f"write a value after {compare.group(2)}")
        return [_Lexeme("COMPARE", str(_canonical_field(compare.group(1))), column, op=compare.group(2),
                        value=compare.group(3), value_column=column + compare.start(3))]
    named = _FIELD.fullmatch(run)
    if named:
        name = _canonical_field(named.group(1))
        if name is None:
            raise QuerySyntaxError(f"Unknown field '{named.group(1)}:'", column,
                                   f"the fields are {', '.join(_field_names())}; "
                                   f'to search for the text itself, quote it: "{run}"')
        lexemes = [_Lexeme("FIELD", name, column)]
        if named.group(2):
            lexemes.append(_Lexeme("WORD", named.group(2), column + len(named.group(1)) + 1))
        return lexemes
    return [_Lexeme("WORD", run, column)]


def _field_names() -> list[str]:
    return list(TEXT_FIELDS + VALUE_FIELDS + PEOPLE_FIELDS + PAIR_FIELDS + DATE_FIELDS + NUMBER_FIELDS
                + SCORE_FIELDS)


# --- parsing ---------------------------------------------------------------------------------------
def parse(query: str) -> Node:
    """The syntax tree of a query, or QuerySyntaxError."""
    return _Parser(query).parse()


class _Parser:
    def __init__(self, query: str) -> None:
        self.lexemes = _lex(query)
        self.i = 0

    def peek(self, ahead: int = 0) -> _Lexeme:
        return self.lexemes[min(self.i + ahead, len(self.lexemes) - 1)]

    def take(self) -> _Lexeme:
        lexeme = self.peek()
        self.i += 1
        return lexeme

    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise QuerySyntaxError("The query is empty", 0)
        node = self.or_expr(DEFAULT_FIELD)
        extra = self.peek()
        if extra.kind == ")":
            raise QuerySyntaxError("Unbalanced parenthesis", extra.column, "this ) has no matching (")
        if extra.kind != "END":
            raise QuerySyntaxError(f"Unexpected '{extra.text}'", extra.column)
        return node

    def needs_operand(self, operator: _Lexeme) -> None:
        if self.peek().kind in ("END", ")", "AND", "OR"):
            raise QuerySyntaxError(f"Missing search term after '{operator.text}'", operator.column)

    def negates_near(self) -> bool:
        return self.peek().kind == "NOT" and self.peek(1).kind == "NEAR"

    def or_expr(self, name: str) -> Node:
        items = [self.and_expr(name)]
        while self.peek().kind == "OR":
            self.needs_operand(self.take())
            items.append(self.and_expr(name))
        return items[0] if len(items) == 1 else Or(_flatten(Or, items))

    def and_expr(self, name: str) -> Node:
        items = [self.not_expr(name)]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                self.needs_operand(self.take())
            elif kind not in ("WORD", "PHRASE", "FIELD", "COMPARE", "(", "RANGE", "NEAR") and not (
                kind == "NOT" and not self.negates_near()
            ):
                break
            items.append(self.not_expr(name))
        return items[0] if len(items) == 1 else And(_flatten(And, items))

    def not_expr(self, name: str) -> Node:
        if self.peek().kind == "NOT" and not self.negates_near():
            self.needs_operand(self.take())
            return Not(self.not_expr(name))
        return self.near_expr(name)

    def near_expr(self, name: str) -> Node:
        left = self.primary(name)
        while self.peek().kind == "NEAR" or self.negates_near():
            negated = self.peek().kind == "NOT"
            if negated:
                self.take()
            operator = self.take()
            self.needs_operand(operator)
            left = _near(left, self.primary(name), operator, negated)
        return left

    def primary(self, name: str) -> Node:
        lexeme = self.take()
        kind = lexeme.kind
        if kind == "(":
            if self.peek().kind == ")":
                raise QuerySyntaxError("Empty parentheses", lexeme.column)
            inner = self.or_expr(name)
            if self.peek().kind != ")":
                raise QuerySyntaxError("Unbalanced parenthesis", lexeme.column,
                                       "the ( opened there is never closed")
            self.take()
            return inner
        if kind == "WORD":
            return _leaf(name, lexeme.text, False, lexeme.column)
        if kind == "PHRASE":
            return _leaf(name, lexeme.text, True, lexeme.column)
        if kind == "FIELD":
            if name != DEFAULT_FIELD:
                raise QuerySyntaxError(f"Field '{lexeme.text}:' inside {name}:(…)", lexeme.column,
                                       "fields cannot be nested")
            return self.field_value(lexeme)
        if kind == "COMPARE":
            if lexeme.text in SCORE_FIELDS:
                raise QuerySyntaxError(f"'{lexeme.text}' needs the tag it scores", lexeme.column,
                                       'write score:"Tag name">=70')
            if name != DEFAULT_FIELD:
                raise QuerySyntaxError(f"Field '{lexeme.text}' inside {name}:(…)", lexeme.column,
                                       "fields cannot be nested")
            return _compare(lexeme)
        if kind == "RANGE":
            raise QuerySyntaxError("Range without a field", lexeme.column,
                                   "write it after a field, e.g. date:[2018-01-01 TO 2018-12-31]")
        if kind == ")":
            raise QuerySyntaxError("Unbalanced parenthesis", lexeme.column, "this ) has no matching (")
        if kind == "END":
            raise QuerySyntaxError("Missing search term", lexeme.column, "the query ends too soon")
        raise QuerySyntaxError(f"Missing search term before '{lexeme.text}'", lexeme.column)

    def field_value(self, name_lexeme: _Lexeme) -> Node:
        name = name_lexeme.text
        if name in PAIR_FIELDS:
            return self.pair_value(name_lexeme)
        if name in SCORE_FIELDS:
            return self.score_comparison(name_lexeme)
        value = self.peek()
        if value.kind == "RANGE":
            self.take()
            return _range(name, value)
        if value.kind not in ("WORD", "PHRASE", "("):
            raise QuerySyntaxError(f"Missing value after '{name}:'", name_lexeme.column,
                                   "write it right after the colon")
        return self.primary(name)


    def pair_value(self, name_lexeme: _Lexeme) -> MatchPair:
        """Two values in parentheses after the field, separated by a comma: ("Person A", "Person B"); a
        value may also be unquoted words (between:(ada@x.example, Ben Ortiz))."""
        name, example = name_lexeme.text, f'{name_lexeme.text}:("Person A", "Person B")'
        opening = self.take()
        if opening.kind != "(":
            raise QuerySyntaxError(f"'{name}:' takes two values in parentheses", name_lexeme.column,
                                   f"e.g. {example}")
        values: list[str] = []
        current: list[str] = []

        def finish(column: int) -> None:
            if not current:
                raise QuerySyntaxError(f"Missing value in {name}:(…)", column, f"e.g. {example}")
            values.append(" ".join(current))
            current.clear()

        while (lexeme := self.take()).kind != ")":
            if lexeme.kind == "END":
                raise QuerySyntaxError("Unbalanced parenthesis", opening.column,
                                       "the ( opened there is never closed")
            if lexeme.kind == "PHRASE" and lexeme.text.strip():
                current.append(" ".join(lexeme.text.split()))
            elif lexeme.kind in ("WORD", "AND", "OR", "NOT", "NEAR"):
                for number, piece in enumerate(lexeme.text.split(",")):
                    if number:
                        finish(lexeme.column)
                    if piece:
                        current.append(piece)
            else:
                raise QuerySyntaxError(f"Unexpected '{lexeme.text}' in {name}:(…)", lexeme.column,
                                       f"give two values separated by a comma, e.g. {example}")
        if current:
            finish(opening.column)
        if len(values) != 2:
            raise QuerySyntaxError(f"'{name}:' takes exactly two values, not {len(values)}",
                                   name_lexeme.column, f"e.g. {example}")
        return MatchPair(name, (values[0], values[1]), name_lexeme.column)

    def score_comparison(self, name_lexeme: _Lexeme) -> ScoreComparison:
        """score:"Tag name">=70 (or score:Hot>=70 for a one-word tag name); spaces around the operator
        are allowed."""
        example = f'write {name_lexeme.text}:"Tag name">=70'
        subject = self.peek()
        if subject.kind not in ("WORD", "PHRASE"):
            raise QuerySyntaxError(f"Missing tag after '{name_lexeme.text}:'", name_lexeme.column, example)
        self.take()
        rest = ""
        if subject.kind == "WORD":  # score:Hot>=70 is one run
            split = _SCORE_TAIL.search(subject.text)
            subject_text = subject.text[:split.start()] if split else subject.text
            rest = split.group(0) if split else ""
        else:
            subject_text = subject.text
        if not rest:
            if self.peek().kind != "WORD" or not _SCORE_TAIL.match(self.peek().text):
                raise QuerySyntaxError(f"Missing comparison after '{name_lexeme.text}:'", name_lexeme.column,
                                       example)
            rest = self.take().text
        operator = _SCORE_TAIL.fullmatch(rest)
        if operator is None:
            raise QuerySyntaxError(f"Bad comparison '{rest}'", name_lexeme.column, example)
        number = operator.group(2)
        if not number:
            if self.peek().kind != "WORD":
                raise QuerySyntaxError(f"Missing number after '{operator.group(1)}'", name_lexeme.column,
                                       example)
            number = self.take().text
        try:
            value = float(number)
        except ValueError:
            raise QuerySyntaxError(f"'{number}' is not a number", name_lexeme.column,
                                   "scores are 0 to 100") from None
        if not subject_text.strip():
            raise QuerySyntaxError(f"Missing tag after '{name_lexeme.text}:'", name_lexeme.column, example)
        return ScoreComparison(name_lexeme.text, subject_text.strip(), operator.group(1), value,
                               name_lexeme.column)


_SCORE_TAIL = re.compile(r"(>=|<=|>|<|=)(\S*)$")


def _flatten(kind: type[And] | type[Or], items: list[Node]) -> tuple[Node, ...]:
    flat: list[Node] = []
    for item in items:
        flat.extend(item.children if isinstance(item, kind) else (item,))
    return tuple(flat)


# --- leaves ----------------------------------------------------------------------------------------
_FUZZY = re.compile(r"(.+?)~(\d*)", re.DOTALL)
_EDGE_PUNCTUATION = re.compile(r"^[^\w*?]+|[^\w*?]+$")


def _leaf(name: str, raw: str, quoted: bool, column: int) -> Node:
    if name in TEXT_FIELDS or name == DEFAULT_FIELD:
        return _phrase(name, raw, column) if quoted else _text_word(name, raw, column)
    return _filter(name, raw, quoted, column)


def _text_word(name: str, raw: str, column: int) -> Word | Phrase:
    fuzzy = _FUZZY.fullmatch(raw)
    if fuzzy:
        return _fuzzy(name, fuzzy.group(1), fuzzy.group(2), raw, column)
    if "*" in raw or "?" in raw:
        return _wildcard(name, raw, column)
    found = [Word(name, text, column=column) for text in words(raw)]
    if not found:
        raise QuerySyntaxError(f"Nothing to search for in '{raw}'", column, "it has no letters or digits")
    return found[0] if len(found) == 1 else Phrase(name, tuple(found), column)


def _fuzzy(name: str, body: str, distance_text: str, raw: str, column: int) -> Word:
    distance = int(distance_text) if distance_text else 1
    if not 1 <= distance <= MAX_FUZZY:
        raise QuerySyntaxError(f"Bad fuzzy distance in '{raw}'", column,
                               "write word~ (1 difference) or word~2")
    if not is_one_word(body):
        raise QuerySyntaxError(f"Fuzzy '{raw}' is not one word", column, "~ makes a single word fuzzy")
    return Word(name, body.lower(), "fuzzy", distance, column)


def _wildcard(name: str, raw: str, column: int) -> Word:
    pattern = _EDGE_PUNCTUATION.sub("", raw).lower()
    if not re.search(r"\w", pattern):
        raise QuerySyntaxError(f"Wildcard '{raw}' matches every word", column, "add a letter or digit")
    # Every character that is not a wildcard must be able to stand inside one indexed word.
    if not WORD.fullmatch(pattern.replace("*", "x").replace("?", "x")):
        raise QuerySyntaxError(f"Wildcard '{raw}' spans several words", column,
                               "a wildcard works inside one word; use a phrase or w/N for several")
    return Word(name, pattern, "wildcard", 0, column)


def _phrase(name: str, raw: str, column: int) -> Word | Phrase:
    found: list[Word] = []
    for piece in re.finditer(r"\S+", raw):
        text, piece_column = piece.group(0), column + 1 + piece.start()
        fuzzy = _FUZZY.fullmatch(text)
        if fuzzy and is_one_word(fuzzy.group(1)):
            found.append(_fuzzy(name, fuzzy.group(1), fuzzy.group(2), text, piece_column))
        elif "*" in text or "?" in text:
            found.append(_wildcard(name, text, piece_column))
        else:
            found.extend(Word(name, word, column=piece_column) for word in words(text))
    if not found:
        raise QuerySyntaxError("Phrase without words", column, f'"{raw}" has no letters or digits')
    return found[0] if len(found) == 1 else Phrase(name, tuple(found), column)


def _near(left: Node, right: Node, operator: _Lexeme, negated: bool) -> Near:
    label = f"{'NOT ' if negated else ''}{operator.text}"
    for side in (left, right):
        if not _positional(side):
            raise QuerySyntaxError(f"Cannot use '{label}' here", operator.column,
                                   "it joins only words, phrases and OR-groups of them, "
                                   "not AND, NOT or filters")
    fields = _fields(left) | _fields(right)
    if len(fields) > 1:
        raise QuerySyntaxError(f"'{label}' joins different fields", operator.column,
                               "both sides must search the same field (found "
                               f"{', '.join(sorted(_field_label(f) for f in fields))})")
    assert isinstance(left, Word | Phrase | Near | Or) and isinstance(right, Word | Phrase | Near | Or)
    return Near(left, right, operator.distance, operator.ordered, negated, operator.column)


def _field_label(name: str) -> str:
    return "the default fields" if name == DEFAULT_FIELD else f"{name}:"


def _positional(node: Node) -> bool:
    if isinstance(node, Word | Phrase | Near):
        return True
    return isinstance(node, Or) and all(_positional(child) for child in node.children)


def _fields(node: Node) -> set[str]:
    if isinstance(node, Word | Phrase):
        return {node.field}
    if isinstance(node, Near):
        return _fields(node.left) | _fields(node.right)
    if isinstance(node, Or):
        return set().union(*(_fields(child) for child in node.children))
    return set()


# --- filters ---------------------------------------------------------------------------------------
def _filter(name: str, raw: str, quoted: bool, column: int) -> Node:
    value = raw.strip()
    if not value:
        raise QuerySyntaxError(f"Missing value after '{name}:'", column)
    if name in DATE_FIELDS:
        start, end = _period(value, column)
        return DateRange(name, start, end, column)
    if name in NUMBER_FIELDS:
        number = _number(value, column)
        return NumberRange(name, number, number, column)
    if name in ("has", "is"):
        allowed = HAS_VALUES if name == "has" else IS_VALUES
        if value.lower() not in allowed:
            raise QuerySyntaxError(f"Unknown '{name}:{value}'", column,
                                   "use " + " or ".join(f"{name}:{known}" for known in allowed))
        return Match(name, value.lower(), quoted, column)
    if name == "ext":
        value = value.lstrip(".")
    return Match(name, value, quoted, column)


def _compare(lexeme: _Lexeme) -> Node:
    name, op, value, value_column = lexeme.text, lexeme.op, lexeme.value, lexeme.value_column
    if name in DATE_FIELDS:
        start, end = _period(value, value_column)
        bounds = {">=": (start, None), ">": (end, None), "<": (None, start), "<=": (None, end),
                  "=": (start, end)}
        low, high = bounds[op]
        return DateRange(name, low, high, lexeme.column)
    if name in NUMBER_FIELDS:
        number = _number(value, value_column)
        limits = {">=": (number, None), ">": (number + 1, None), "<": (None, number - 1),
                  "<=": (None, number), "=": (number, number)}
        low_n, high_n = limits[op]
        return NumberRange(name, low_n, high_n, lexeme.column)
    if op == "=":
        return _leaf(name, value, False, value_column)
    raise QuerySyntaxError(f"Cannot compare '{name}' with {op}", lexeme.column,
                           "only dates, pages and similarity compare")


_RANGE = re.compile(r"\s*(\S+)\s+to\s+(\S+)\s*", re.IGNORECASE)


def _range(name: str, lexeme: _Lexeme) -> Node:
    match = _RANGE.fullmatch(lexeme.text)
    if match is None:
        raise QuerySyntaxError("Malformed range", lexeme.column,
                               "write [FROM TO UNTIL], e.g. [2018-01-01 TO 2018-12-31], "
                               "with * for an open end")
    low, high = match.group(1), match.group(2)
    column = lexeme.column + 1
    if name in DATE_FIELDS:
        start = None if low == "*" else _period(low, column)[0]
        end = None if high == "*" else _period(high, column)[1]
        if start and end and end <= start:
            raise QuerySyntaxError("Date range ends before it starts", lexeme.column)
        return DateRange(name, start, end, lexeme.column)
    if name in NUMBER_FIELDS:
        low_n = None if low == "*" else _number(low, column)
        high_n = None if high == "*" else _number(high, column)
        if low_n is not None and high_n is not None and high_n < low_n:
            raise QuerySyntaxError("Range ends before it starts", lexeme.column)
        return NumberRange(name, low_n, high_n, lexeme.column)
    if name == "bates":
        if "*" in (low, high) or len(low) != len(high):
            raise QuerySyntaxError("A Bates range needs both ends, of one series", lexeme.column,
                                   "e.g. bates:[DEF00000100 TO DEF00000200]")
        return LabelRange(name, low.upper(), high.upper(), lexeme.column)
    raise QuerySyntaxError(f"'{name}:' takes no range", lexeme.column,
                           "ranges work with dates, pages and bates")


_DATE = re.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")


def _period(value: str, column: int) -> tuple[datetime, datetime]:
    """The first instant of a year, month or day and the first instant after it."""
    match = _DATE.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        year, month, day = int(match.group(1)), match.group(2), match.group(3)
        if day is not None:
            start = datetime(year, int(month), int(day))
            return start, datetime.fromordinal(start.toordinal() + 1)
        if month is not None:
            start = datetime(year, int(month), 1)
            return start, datetime(year + int(month) // 12, int(month) % 12 + 1, 1)
        return datetime(year, 1, 1), datetime(year + 1, 1, 1)
    except ValueError:
        raise QuerySyntaxError(f"'{value}' is not a date", column,
                               "write YYYY-MM-DD, YYYY-MM or YYYY") from None


def _number(value: str, column: int) -> int:
    if not value.isdigit():
        raise QuerySyntaxError(f"'{value}' is not a whole number", column)
    return int(value)


# --- explaining ------------------------------------------------------------------------------------
def explain(node: Node) -> str:
    """The query as it was understood, fully parenthesised: what the reviewer can check and defend."""
    return _explain(node, top=True)


def _explain(node: Node, top: bool = False) -> str:
    def wrap(text: str) -> str:
        return text if top else f"({text})"

    if isinstance(node, Word):
        suffix = f"~{node.distance}" if node.kind == "fuzzy" else ""
        return f"{_prefix(node.field)}{node.text}{suffix}"
    if isinstance(node, Phrase):
        inner = " ".join(_explain(Word(DEFAULT_FIELD, w.text, w.kind, w.distance)) for w in node.words)
        return f'{_prefix(node.field)}"{inner}"'
    if isinstance(node, Near):
        operator = f"{'NOT ' if node.negated else ''}{'pre' if node.ordered else 'w'}/{node.distance}"
        return wrap(f"{_explain(node.left)} {operator} {_explain(node.right)}")
    if isinstance(node, And | Or):
        joiner = " AND " if isinstance(node, And) else " OR "
        return wrap(joiner.join(_explain(child) for child in node.children))
    if isinstance(node, Not):
        return f"NOT {_explain(node.child)}"
    if isinstance(node, Match):
        value = f'"{node.value}"' if node.quoted or " " in node.value else node.value
        return f"{node.field}:{value}"
    if isinstance(node, DateRange):
        low = node.start.date().isoformat() if node.start else "*"
        high = datetime.fromordinal(node.end.toordinal() - 1).date().isoformat() if node.end else "*"
        return f"{node.field}:[{low} TO {high}]"
    if isinstance(node, LabelRange):
        return f"{node.field}:[{node.low} TO {node.high}]"
    if isinstance(node, MatchPair):
        return f'{node.field}:("{node.values[0]}", "{node.values[1]}")'
    if isinstance(node, ScoreComparison):
        return f'{node.field}:"{node.name}"{node.op}{node.value:g}'
    low_n = "*" if node.low is None else str(node.low)
    high_n = "*" if node.high is None else str(node.high)
    return f"{node.field}:[{low_n} TO {high_n}]"


def _prefix(name: str) -> str:
    return "" if name == DEFAULT_FIELD else f"{name}:"
