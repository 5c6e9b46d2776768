"""Bounded reading of user input: regular files only, YAML and JSON with size, alias, depth and text budgets.

Every entry point that opens a user's file or parses a user's YAML/JSON goes through here, so each
refusal is one line naming the file and no input can hang (a FIFO), exhaust memory (/dev/zero, alias
expansion) or crash the process (deep nesting, lone surrogates, 5,000-digit numbers).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from certdoctor.errors import InputError
from certdoctor.limits import (
    MAX_CASE_DEPTH,
    MAX_NUMBER_CHARS,
    MAX_YAML_ALIASES,
    MAX_YAML_NODES,
)

_KINDS = (
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "is a FIFO (named pipe)"),
    (stat.S_ISSOCK, "is a socket"),
    (stat.S_ISCHR, "is a character device"),
    (stat.S_ISBLK, "is a block device"),
)


def _not_regular(mode: int, what: str) -> str | None:
    """Why a file of this mode is refused, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kind = next((text for test, text in _KINDS if test(mode)), "is not a regular file")
    return f"{kind}, not a {what}"


def read_regular_file(path: str | Path, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most limit bytes; devices, FIFOs, sockets and directories are refused.

    The type is checked with stat before opening (opening a FIFO would block), the file is opened
    non-blocking and checked again (it may have been swapped), and at most limit + 1 bytes are read
    (a /proc file reports size 0).
    """
    source = str(path)
    try:
        problem = _not_regular(os.stat(path).st_mode, what)
        if problem:
            raise InputError(source, problem)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            problem = _not_regular(info.st_mode, what)
            if problem:
                raise InputError(source, problem)
            if info.st_size > limit:
                raise InputError(source, f"{what} is {info.st_size} bytes; the limit is {limit} bytes")
            # the size it reports plus one byte (a buffer of limit + 1 bytes for a 2 kB file costs as much as
            # reading it four times); a file that grew or reports size 0 (/proc) reads on up to limit + 1 bytes
            data = fh.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += fh.read(limit + 1 - len(data))
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as exc:
        raise InputError(source[:200], f"cannot read: {exc.strerror or exc}") from None
    except ValueError:  # os.stat refuses a path with a NUL byte
        raise InputError(source.replace("\0", "\\0")[:200], "is not a usable path (it holds a NUL byte)") from None
    if len(data) > limit:
        raise InputError(source, f"{what} is larger than the limit of {limit} bytes")
    return data


# -- YAML --------------------------------------------------------------------------------------------

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """The safe loader (libyaml when present) whose value errors carry the node's line, and bounded integers."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        """Build one value; Python's ValueError (a +99:00 offset, month 13) becomes a YAML error at the node."""
        if (
            isinstance(node, yaml.ScalarNode)
            and node.tag == "tag:yaml.org,2002:int"
            and len(node.value) > MAX_NUMBER_CHARS
        ):
            raise yaml.constructor.ConstructorError(
                None, None, f"an integer longer than {MAX_NUMBER_CHARS} characters", node.start_mark
            )
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError):
            shown = node.value[:40] if isinstance(node.value, str) else "a value"
            kind = str(node.tag).rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None, None, f"'{shown}' is not a valid {kind}", node.start_mark
            ) from None


def _budget(root: Any) -> tuple[int, int, int]:
    """(nodes with aliases expanded, aliases, depth) of a composed YAML graph; raises on recursive aliases."""
    weight: dict[int, int] = {}
    depth: dict[int, int] = {}
    seen_edges = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        kids = _kids(node)
        if done:
            open_nodes.discard(key)
            weight[key] = min(1 + sum(weight[id(k)] for k in kids), MAX_YAML_NODES + 1)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            continue
        if key in weight:
            continue
        if key in open_nodes:
            raise yaml.YAMLError("a recursive alias (an anchor used inside itself)")
        open_nodes.add(key)
        stack.append((node, True))
        seen_edges += len(kids)
        for kid in kids:
            if id(kid) in open_nodes:
                raise yaml.YAMLError("a recursive alias (an anchor used inside itself)")
            if id(kid) not in weight:
                stack.append((kid, False))
    distinct = len(weight)
    return weight[id(root)], seen_edges - (distinct - 1), depth[id(root)]


def _kids(node: Any) -> list[Any]:
    """The child nodes of a composed node (keys and values for a mapping)."""
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _one_line(exc: yaml.YAMLError, text: str) -> str:
    """A YAML error as one line: the problem and where it is."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        return f"not valid YAML at line {line}: character #x{code:04x} is not allowed in YAML text"
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"not valid YAML{where}: {' '.join(str(problem).split())}"


def load_yaml(text: str, source: str) -> Any:
    """One safe YAML document; aliases, expanded size and nesting are budgeted before anything is built."""
    loader: Any = None
    try:
        loader = _Loader(text)  # the pure-Python reader checks every character here
        node = loader.get_single_node()
        if node is None:
            return None
        nodes, aliases, depth = _budget(node)
        if aliases > MAX_YAML_ALIASES:
            raise InputError(source, f"not accepted YAML: {aliases} aliases; the limit is {MAX_YAML_ALIASES}")
        if nodes > MAX_YAML_NODES:
            raise InputError(
                source, f"not accepted YAML: its aliases expand to more than {MAX_YAML_NODES} nodes (an alias bomb?)"
            )
        if depth > MAX_CASE_DEPTH:
            raise InputError(source, f"nested more than {MAX_CASE_DEPTH} levels deep")
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise InputError(source, _one_line(exc, text)) from None
    except RecursionError:
        raise InputError(source, f"nested more than {MAX_CASE_DEPTH} levels deep") from None
    except UnicodeEncodeError:  # libyaml reads UTF-8: a lone surrogate in the text cannot be given to it
        raise InputError(source, "holds a lone surrogate, not valid Unicode text") from None
    finally:
        if loader is not None:
            loader.dispose()


# -- JSON --------------------------------------------------------------------------------------------


def _bounded_int(text: str) -> int:
    """A JSON integer, refused past MAX_NUMBER_CHARS digits (Python's own limit raises a bare ValueError)."""
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"an integer longer than {MAX_NUMBER_CHARS} characters")
    return int(text)


def load_json(text: str, source: str) -> Any:
    """JSON text as data, refusing deep nesting and huge numbers with one line."""
    try:
        return json.loads(text, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise InputError(source, f"nested more than {MAX_CASE_DEPTH} levels deep") from None
    except ValueError as exc:
        raise InputError(source, f"not valid JSON: {' '.join(str(exc).split())}") from None


# -- parsed data -------------------------------------------------------------------------------------


def _surrogate(text: str) -> bool:
    """Whether text holds a lone surrogate (not valid Unicode: it cannot be encoded or printed)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_tree(data: Any, source: str, max_depth: int = MAX_CASE_DEPTH) -> None:
    """Refuse data nested deeper than max_depth, or holding a lone surrogate in any key or text, naming the field.

    Iterative, so data nested far beyond Python's recursion limit is refused, not crashed on.
    """
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, where, level = stack.pop()
        if isinstance(value, str):
            if _surrogate(value):
                raise InputError(source, f"{where or '(top level)'}: holds a lone surrogate, not valid Unicode text")
            continue
        if not isinstance(value, dict | list):
            continue
        if level >= max_depth:
            raise InputError(source, f"{where or '(top level)'}: nested more than {max_depth} levels deep")
        if isinstance(value, dict):
            for key, item in value.items():
                name = str(key)
                if _surrogate(name):
                    raise InputError(source, f"{where or '(top level)'}: a key holds a lone surrogate")
                stack.append((item, f"{where}.{name}" if where else name, level + 1))
        else:
            stack.extend((item, f"{where}[{i}]", level + 1) for i, item in enumerate(value))
