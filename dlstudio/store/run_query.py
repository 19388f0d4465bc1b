"""The run query language: ``optim.name = adam and best_dev_metric > 0.95 and tag:baseline``.

Grammar (keywords are case-insensitive)::

    query      := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | atom
    atom       := "(" or_expr ")" | "tag:" value | "sweep:" integer
                | key op value
    op         := "=" | "!=" | "<" | "<=" | ">" | ">=" | "~"   (~: contains, any case)
    value      := number | 'quoted' | "quoted" | word | true | false | null

A key is a run column (``status``, ``name``, ``created`` ...), ``duration`` (seconds
from start to end), or a dotted path (``optim.name``, ``lr``) looked up first in the
summary, then in the config; ``config.X`` / ``summary.X`` name one of them. A dotted path
matches a nested config (``{"optim": {"name": ..}}``) and a flat one
(``{"optim.name": ..}``), so configs that user scripts log free-form work as well.

A hand-written recursive-descent parser, not a parsing library: the grammar is a dozen
lines, nothing we depend on ships a parser generator, and errors can name the position
and what was expected in our words. The output is a ``WHERE`` fragment with ``?``
placeholders and its parameters: values never enter the SQL text, and keys enter it
only as JSON paths passed as parameters, after matching ``KEY_PATTERN``.

``!=`` and ``not`` count a run without the key as different (``optim.name != sgd``
keeps runs that have no optimizer), unlike SQL's three-valued logic.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from dlstudio.errors import ConfigError
from dlstudio.store.runs import RUN_STATUSES

# Columns a query may name directly; the rest of ``runs`` is internal.
RUN_COLUMNS = ("id", "name", "status", "created", "started", "ended", "notes", "error",
               "sweep_id", "trial_id")
TIME_COLUMNS = ("created", "started", "ended")
COMPUTED = {"duration": "(runs.ended - runs.started)"}
KEYWORDS = ("and", "or", "not")
OPERATORS = ("<=", ">=", "!=", "=", "<", ">", "~")
KEY_PATTERN = re.compile(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*\Z")
_SQL_OPERATORS = {"=": "IS", "!=": "IS NOT", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<op><=|>=|!=|==|=|<|>|~)
  | (?P<paren>[()])
  | (?P<word>[^\s()'"<>=!~]+)
""", re.VERBOSE)


@dataclass(frozen=True)
class Token:
    kind: str  # "string", "op", "paren", "word", "end"
    text: str
    position: int  # 1-based column in the query

    def describe(self) -> str:
        return "the end of the query" if self.kind == "end" else repr(self.text)


@dataclass
class RunQuery:
    """A parsed query: ``sql`` is a boolean SQL expression over ``runs`` with ``?``
    placeholders for ``params``; ``keys`` are the keys it names."""

    text: str
    sql: str
    params: list[Any]
    keys: list[str] = field(default_factory=list)


def parse_query(text: str) -> RunQuery:
    """Parse ``text``; raises ``ConfigError("query, position N: expected ..")``."""
    parser = _Parser(text)
    sql, params = parser.parse()
    return RunQuery(text, sql, params, parser.keys)


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token."""
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # only an unterminated quote gets here
            raise _error(position + 1, "a closing quote for the string that starts here")
        if match.lastgroup != "space":
            kind, raw = match.lastgroup, match.group()
            if kind == "string":
                raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
            tokens.append(Token(kind, "=" if raw == "==" and kind == "op" else raw,
                                position + 1))
        position = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.index = 0
        self.keys: list[str] = []

    def parse(self) -> tuple[str, list[Any]]:
        if self._peek().kind == "end":
            raise _error(1, "a condition such as optim.name = adam, got an empty query")
        sql, params = self._or()
        token = self._peek()
        if token.kind != "end":
            expected = "')' to close" if token.text == ")" else "'and', 'or' or the end"
            raise _error(token.position, f"{expected}, got {token.describe()}")
        return sql, params

    def _peek(self) -> Token:
        return self.tokens[self.index]

    def _next(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token.kind == "word" and token.text.lower() == word:
            self.index += 1
            return True
        return False

    def _or(self) -> tuple[str, list[Any]]:
        return self._chain("or", self._and)

    def _and(self) -> tuple[str, list[Any]]:
        return self._chain("and", self._not)

    def _chain(self, word: str, operand) -> tuple[str, list[Any]]:
        sql, params = operand()
        parts = [sql]
        while self._keyword(word):
            more, more_params = operand()
            parts.append(more)
            params = params + more_params
        return (parts[0] if len(parts) == 1 else
                "(" + f" {word.upper()} ".join(parts) + ")"), params

    def _not(self) -> tuple[str, list[Any]]:
        if self._keyword("not"):
            sql, params = self._not()
            return f"(NOT COALESCE({sql}, 0))", params
        return self._atom()

    def _atom(self) -> tuple[str, list[Any]]:
        token = self._next()
        if token.kind == "paren" and token.text == "(":
            sql, params = self._or()
            closing = self._next()
            if closing.text != ")":
                raise _error(closing.position, f"')' to close the '(' at position "
                             f"{token.position}, got {closing.describe()}")
            return sql, params
        if token.kind != "word" or token.text.lower() in KEYWORDS:
            raise _error(token.position, "a key (optim.name, lr, status, tag:NAME, "
                         f"sweep:ID) or '(', got {token.describe()}")
        prefix, colon, rest = token.text.partition(":")
        if colon and prefix.lower() in ("tag", "sweep"):
            return self._tag_or_sweep(prefix.lower(), rest, token)
        return self._comparison(token)

    def _tag_or_sweep(self, kind: str, rest: str, token: Token) -> tuple[str, list[Any]]:
        if not rest:
            value = self._next()
            if value.kind not in ("word", "string"):
                raise _error(value.position, f"a {kind} after '{kind}:', got "
                             f"{value.describe()}")
            rest = value.text
        if kind == "tag":
            return "runs.id IN (SELECT run_id FROM tags WHERE tag = ?)", [rest]
        if not rest.isdigit():
            raise _error(token.position, f"a sweep id (a whole number) after 'sweep:', "
                         f"got {rest!r}")
        return "runs.sweep_id = ?", [int(rest)]

    def _comparison(self, key_token: Token) -> tuple[str, list[Any]]:
        key = key_token.text
        if not KEY_PATTERN.match(key):
            raise _error(key_token.position, "a key of letters, digits, '_', '-' and "
                         f"dots (optim.name), got {key!r}")
        op = self._next()
        if op.kind != "op":
            raise _error(op.position, f"an operator (= != < <= > >= ~) after {key!r}, "
                         f"got {op.describe()}")
        value_token = self._next()
        if value_token.kind not in ("word", "string") or (
                value_token.kind == "word" and value_token.text.lower() in KEYWORDS):
            raise _error(value_token.position, f"a value after '{key} {op.text}', got "
                         f"{value_token.describe()}")
        self.keys.append(key)
        expression, key_params = _key_expression(key)
        value = _value(key, value_token)
        return _condition(expression, key_params, op, value, value_token)


def _key_expression(key: str) -> tuple[str, list[Any]]:
    lowered = key.lower()
    if lowered in RUN_COLUMNS:
        return f"runs.{lowered}", []
    if lowered in COMPUTED:
        return COMPUTED[lowered], []
    source, _, path = key.partition(".")
    if source in ("config", "summary") and path:
        return _json_lookup(source, path)
    summary, summary_params = _json_lookup("summary", key)
    config, config_params = _json_lookup("config", key)
    return f"COALESCE({summary}, {config})", summary_params + config_params


def _json_lookup(column: str, key: str) -> tuple[str, list[Any]]:
    nested = "$." + ".".join(f'"{part}"' for part in key.split("."))
    if "." not in key:
        return f"json_extract(runs.{column}, ?)", [nested]
    flat = f'$."{key}"'
    return (f"COALESCE(json_extract(runs.{column}, ?), json_extract(runs.{column}, ?))",
            [nested, flat])


def _value(key: str, token: Token) -> Any:
    text = token.text
    if token.kind == "string":
        return text
    lowered = text.lower()
    if lowered in ("true", "false"):
        return int(lowered == "true")  # JSON booleans read back as 1 / 0
    if lowered == "null":
        return None
    if key.lower() == "status" and text not in RUN_STATUSES:
        raise _error(token.position, f"a status ({', '.join(RUN_STATUSES)}), got {text!r}")
    try:
        return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
    except ValueError:
        pass
    if key.lower() in TIME_COLUMNS:
        try:
            return dt.datetime.fromisoformat(text).timestamp()
        except ValueError:
            raise _error(token.position, f"a date (2026-12-01 or 2026-12-01T14:30) or a "
                         f"timestamp for {key}, got {text!r}") from None
    return text


def _condition(expression: str, key_params: list[Any], op: Token, value: Any,
               token: Token) -> tuple[str, list[Any]]:
    if op.text == "~":
        if value is None:
            raise _error(token.position, "some text after '~', got null")
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", str(value)) + "%"
        return f"(CAST({expression} AS TEXT) LIKE ? ESCAPE '\\')", key_params + [pattern]
    if value is None and op.text not in ("=", "!="):
        raise _error(token.position, f"a number or text after '{op.text}', got null")
    return f"({expression} {_SQL_OPERATORS[op.text]} ?)", key_params + [value]


def _error(position: int, expected: str) -> ConfigError:
    return ConfigError(f"query, position {position}: expected {expected}")
