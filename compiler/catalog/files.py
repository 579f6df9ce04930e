"""Reading catalog files: plain YAML data only, then JSON Schema validation."""
from __future__ import annotations

import datetime as _dt
import functools
import json
import math
from pathlib import Path
from typing import Any, Sequence

from .model import CatalogError, DOCUMENT

_PACKAGE = "hedgec.compiler.catalog"
_SCHEMA_NAME = "catalog.schema.json"
_MAX_FILE_BYTES = 4 * 1024 * 1024



def _fail(file: str, path: Sequence[Any] | str, message: str) -> CatalogError:
    if not isinstance(path, str):
        path = ".".join(str(p) for p in path)
    return CatalogError(file, path, message)


def _read_text(path: Path, file: str) -> str:
    try:
        with open(path, "rb") as handle:  # bounded: the path may be a device or a pipe
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
    """Refuse anchors, aliases, explicit tags and multiple documents.

    Works on the event stream, before any node is composed, and stops at the
    first offence: an alias bomb is refused after reading a few lines.
    """
    from ruamel.yaml import events as ev

    # per open collection: [kind, next sequence index, expecting a key, current key]
    stack: list[list[Any]] = []
    path: list[Any] = []
    documents = 0

    def event_key(event: Any) -> Any:
        return getattr(event, "value", None) or "<key>"

    for event in yaml.parse(text):
        if isinstance(event, ev.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _fail(file, DOCUMENT, "more than one YAML document" + _mark(event.start_mark))
            continue
        if not isinstance(event, (ev.NodeEvent, ev.CollectionEndEvent)):
            continue
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
            continue
        # scalar
        if is_key:
            top[3] = event.value
            top[2] = False
            continue
        _after_value(stack)


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
