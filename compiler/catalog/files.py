"""Reading catalog files: plain YAML data only, then JSON Schema validation."""
from __future__ import annotations

import datetime as _dt
import functools
import json
import math
import re
from pathlib import Path
from typing import Any, Sequence

from .model import CatalogError, DOCUMENT

_PACKAGE = "hedgec.compiler.catalog"
_SCHEMA_NAME = "catalog.schema.json"
# Bounds that keep a catalog read fast (ruamel.yaml parses about 100 KB a second
# in pure Python): the bundled catalog is 12 KB, ~800 entries, 6 levels deep.
_MAX_FILE_BYTES = 1024 * 1024
_MAX_ENTRIES = 20_000  # keys, values, items and collections
_MAX_DEPTH = 16  # nested mappings and lists
# A plain scalar YAML 1.2 reads as a date or a timestamp (ruamel.yaml's resolver): it must be a real one.
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
                   r"|([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})"
                   r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?")



def _fail(file: str, path: Sequence[Any] | str, message: str) -> CatalogError:
    if not isinstance(path, str):
        path = ".".join(str(p) for p in path)
    return CatalogError(file, path, message)


def _read_text(path: Path, file: str) -> str:
    try:
        with path.open("rb") as handle:  # read to the bound only: a device or a FIFO may never end
            data = handle.read(_MAX_FILE_BYTES + 1)
        if len(data) > _MAX_FILE_BYTES:
            raise _fail(file, DOCUMENT, f"file is larger than {_MAX_FILE_BYTES} bytes")
        return data.decode("utf-8")
    except FileNotFoundError:
        raise _fail(file, DOCUMENT, "file not found") from None
    except IsADirectoryError:
        raise _fail(file, DOCUMENT, "is a directory, not a file") from None
    except UnicodeDecodeError as e:
        raise _fail(file, DOCUMENT, f"not UTF-8 text ({e.reason})") from None
    except OSError as e:
        raise _fail(file, DOCUMENT, f"cannot read file ({e.strerror or e})") from None


def _mark(mark: Any) -> str:
    if mark is None:
        return ""
    return f" (line {mark.line + 1}, column {mark.column + 1})"


def _check_events(yaml: Any, text: str, file: str) -> None:
    """Refuse anchors, aliases, explicit tags, multiple documents, nesting
    deeper than _MAX_DEPTH and dates that do not exist.

    Works on the event stream, before any node is composed, and stops at the
    first offence: an alias bomb or a deeply nested file is refused after
    reading a few lines, and nothing after this recurses deeper than _MAX_DEPTH.
    """
    from ruamel.yaml import events as ev

    # per open collection: [kind, next sequence index, expecting a key, current key]
    stack: list[list[Any]] = []
    path: list[Any] = []
    documents = 0

    def event_key(event: Any) -> Any:
        return getattr(event, "value", None) or "<key>"

    nodes = 0
    for event in yaml.parse(text):
        if isinstance(event, ev.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _fail(file, DOCUMENT, "more than one YAML document" + _mark(event.start_mark))
            continue
        if not isinstance(event, (ev.NodeEvent, ev.CollectionEndEvent)):
            continue
        nodes += 1
        if nodes > _MAX_ENTRIES:
            raise _fail(file, DOCUMENT, f"more than {_MAX_ENTRIES:,} entries; a catalog holds a few hundred"
                        + _mark(event.start_mark))
        top = stack[-1] if stack else None
        is_key = top is not None and top[0] == "map" and top[2]
        if isinstance(event, ev.CollectionEndEvent):
            stack.pop()
            if path and stack:
                path.pop()
            _after_value(stack)
            continue
        # the path of this node, for messages
        where = list(path)
        if top is not None:
            where.append(top[1] if top[0] == "seq" else top[3] if not is_key else event_key(event))
        if isinstance(event, ev.AliasEvent):
            raise _fail(file, where, f"aliases (*{event.anchor}) are not allowed in a catalog"
                        + _mark(event.start_mark))
        if getattr(event, "anchor", None) is not None:
            raise _fail(file, where, f"anchors (&{event.anchor}) are not allowed in a catalog"
                        + _mark(event.start_mark))
        tag = getattr(event, "tag", None)
        if tag is not None and str(tag) not in ("!",):
            raise _fail(file, where, f"tags ({tag}) are not allowed in a catalog; write plain data"
                        + _mark(event.start_mark))
        if isinstance(event, ev.CollectionStartEvent):
            if top is not None:
                if top[0] == "seq":
                    path.append(top[1])
                elif is_key:
                    raise _fail(file, where, "mapping keys must be plain scalars" + _mark(event.start_mark))
                else:
                    path.append(top[3])
            kind = "map" if isinstance(event, ev.MappingStartEvent) else "seq"
            stack.append([kind, 0, True, None])
            if len(stack) > _MAX_DEPTH:
                raise _fail(file, where, f"nested more than {_MAX_DEPTH} levels deep"
                            + _mark(event.start_mark))
            continue
        # scalar
        if event.style is None and not is_key:
            _check_date(event.value, file, where, event.start_mark)
        if is_key:
            top[3] = event.value
            top[2] = False
            continue
        _after_value(stack)


def _check_date(value: str, file: str, where: list, mark: Any) -> None:
    """A plain scalar that YAML reads as a date must name a real day."""
    match = _DATE.fullmatch(value)
    if match is None:
        return
    try:
        parts = [int(p) for p in match.groups() if p is not None]
        _dt.datetime(*parts)
    except ValueError as err:
        raise _fail(file, where, f"{value} is not a valid date ({err}); dates are written YYYY-MM-DD"
                    + _mark(mark)) from None


def _after_value(stack: list[list[Any]]) -> None:
    if not stack:
        return
    top = stack[-1]
    if top[0] == "seq":
        top[1] += 1
    else:
        top[2] = True


def _plain(value: Any, file: str, path: tuple[Any, ...]) -> Any:
    """Normalise loaded YAML into JSON-like data (str keys, ISO date strings)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _fail(file, path, f"key {k!r} is not a string")
            out[k] = _plain(v, file, path + (k,))
        return out
    if isinstance(value, list):
        return [_plain(v, file, path + (i,)) for i, v in enumerate(value)]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10] if not isinstance(value, _dt.datetime) else value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(file, path, f"{value!r} is not a finite number")
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise _fail(file, path, f"unsupported value of type {type(value).__name__}")


def _parse_yaml(text: str, file: str) -> dict:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe", pure=True)
    try:
        _check_events(yaml, text, file)
        data = yaml.load(text)
    except CatalogError:
        raise
    except (ValueError, OverflowError) as e:  # a value YAML cannot construct, such as a timestamp's offset
        raise _fail(file, DOCUMENT, f"not valid YAML: {e}") from None
    except MarkedYAMLError as e:
        problem = e.problem or e.context or "invalid YAML"
        raise _fail(file, DOCUMENT, f"not valid YAML: {problem}{_mark(e.problem_mark)}") from None
    except YAMLError as e:
        raise _fail(file, DOCUMENT, f"not valid YAML: {e}") from None
    if data is None:
        raise _fail(file, DOCUMENT, "the file is empty; a catalog is a YAML mapping")
    if not isinstance(data, dict):
        raise _fail(file, DOCUMENT, f"a catalog is a YAML mapping, not a {type(data).__name__}")
    return _plain(data, file, ())


# --------------------------------------------------------------------------
# Schema


def _strip_required(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_required(v) for k, v in node.items() if k not in ("required", "minProperties")}
    if isinstance(node, list):
        return [_strip_required(v) for v in node]
    return node


@functools.lru_cache(maxsize=None)
def _validators() -> tuple[Any, Any]:
    """(full validator, overlay validator): the overlay schema has no required keys."""
    from importlib import resources

    from jsonschema import Draft202012Validator

    schema = json.loads(resources.files(_PACKAGE).joinpath(_SCHEMA_NAME).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema), Draft202012Validator(_strip_required(schema))


def _first_error(validator: Any, data: dict) -> Any | None:
    from jsonschema.exceptions import best_match, relevance

    errors = list(validator.iter_errors(data))
    if not errors:
        return None
    # Prefer the deepest error (the most specific place), then jsonschema's relevance.
    deepest = max(len(e.absolute_path) for e in errors)
    return best_match([e for e in errors if len(e.absolute_path) == deepest], key=relevance)


def _validate(validator: Any, data: dict, file_of: Any) -> None:
    err = _first_error(validator, data)
    if err is None:
        return
    path = tuple(err.absolute_path)
    message = err.message
    if err.validator == "oneOf" and err.context:
        sub = min(err.context, key=lambda e: len(e.schema_path))
        message = f"{err.instance!r} is not valid here ({sub.message})"
    raise _fail(file_of(path), path, message)
