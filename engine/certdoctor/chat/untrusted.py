"""Checks on what a chatbot sends, before anything walks, stores or echoes it: shape, text, keys, quotes.

Everything from a chatbot is untrusted. Its shape (nesting, entries per list or mapping) is checked
without recursion before any recursive step (walking, pickling, validation); lone surrogates are
refused naming the field; private keys in any encoding `certdoctor.keydetect` knows are refused, so
none can enter a state token, a session store, a log or a reply; and error messages quote at most
a short prefix of what was sent (`quote`, `public_text`), never a value whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from certdoctor.errors import InputError
from certdoctor.keydetect import holds_private_key
from certdoctor.limits import MAX_CASE_DEPTH, MAX_LOG_LINES
from certdoctor.safeinput import check_tree

#: Most characters of a user's value an error message quotes.
QUOTE_CHARS = 60
#: Most characters of one error message (field name and problem) a surface sends back.
MESSAGE_CHARS = 1000
#: Most entries of one list or mapping in untrusted case data: the largest list a case takes (log lines).
MAX_CONTAINER_ENTRIES = MAX_LOG_LINES

_QUOTED = re.compile("'([^'\\n]{" + str(QUOTE_CHARS) + "})[^'\\n]+'")
_LONG_WORD = re.compile("([^\\s:']{" + str(QUOTE_CHARS) + "})[^\\s:']{20,}")
_UNPRINTABLE = re.compile(r"[^\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]")
_ESCAPED_CONTROL = re.compile(r"\\u00[01][0-9a-f]")
KEY_REFUSED = "holds a private key; it is refused and not kept (send certificates only)"


def quote(text: object, most: int = QUOTE_CHARS) -> str:
    """A short printable prefix of a user's value for an error message: never whole, never key material."""
    value = str(text)
    if holds_private_key(value):
        return "[a private key]"
    first = value.split("\n", 1)[0][:most]
    shown = _UNPRINTABLE.sub("?", first)
    return shown + ("..." if len(value) > len(first) else "")


def public_text(text: str, *, one_line: bool = True) -> str:
    """An error message fit to send back: long quoted values and long words cut, key material removed."""
    if holds_private_key(text):
        return "the input holds a private key; it is refused and not kept (send certificates only)"
    if one_line:
        text = " ".join(text.split())
    text = "\n".join(_UNPRINTABLE.sub("?", line) for line in text.split("\n"))
    text = _QUOTED.sub(r"'\1...'", text)
    text = _LONG_WORD.sub(r"\1...", text)
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + "..."


def join(where: str, key: object) -> str:
    """A field path one level down, the key quoted short."""
    part = quote(key, 40)
    return f"{where}.{part}" if where else part


def check_shape(data: Any, where: str, max_depth: int = MAX_CASE_DEPTH) -> None:
    """Refuse data nested deeper than max_depth, or a list or mapping of more than MAX_CONTAINER_ENTRIES.

    Containers only, without recursion: it runs before anything recursive (walking, pickling, validation)
    touches the data, so a 400,000-entry list costs one len() and a 500-deep nest one short loop.
    """
    stack: list[tuple[Any, str, int]] = [(data, where, 0)]
    while stack:
        value, path, level = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if level >= max_depth:
            raise InputError(path or "(top level)", f"nested more than {max_depth} levels deep")
        if len(value) > MAX_CONTAINER_ENTRIES:
            raise InputError(
                path or "(top level)", f"has {len(value)} entries; the most a case takes is {MAX_CONTAINER_ENTRIES}"
            )
        if isinstance(value, dict):
            stack.extend((item, join(path, key), level + 1) for key, item in value.items())
        else:
            stack.extend((item, f"{path}[{i}]", level + 1) for i, item in enumerate(value))


def check_text(data: Any, where: str) -> str:
    """The data as JSON text; a lone surrogate anywhere (not valid Unicode) is refused naming the field.

    The shape must have been checked first (check_shape): the JSON encoder recurses.
    """
    text = json.dumps(data, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            check_tree(data, "", 1 << 30)  # finds and names it, without recursion
        except InputError as exc:  # check_tree words it "<path>: <problem>"; the problem holds no ": "
            path, _, problem = exc.problem.rpartition(": ")
            path = "" if path == "(top level)" else path
            raise InputError(".".join(p for p in (where, path) if p) or "(top level)", problem) from None
        raise InputError(where or "(top level)", "holds a lone surrogate, not valid Unicode text") from None
    return text


def strings(value: Any, where: str, keys: bool = True) -> Iterator[tuple[str, str]]:
    """Every string in data (mapping keys too, unless keys=False), with the field it sits at; iterative."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            yield path or "(top level)", item
        elif isinstance(item, dict):
            for key, inner in item.items():
                if keys:  # a key pasted as a field name is named by its parent
                    yield path or "(top level)", str(key)
                stack.append((inner, join(path, key)))
        elif isinstance(item, list):
            stack.extend((inner, f"{path}[{i}]") for i, inner in enumerate(item))


def refuse_private_keys(value: Any, where: str, text: str | None = None) -> None:
    """InputError naming the field when value holds private-key material in any encoding keydetect knows.

    One scan over the JSON text (and over the strings joined, for bytes pasted as text) finds it; only
    then are the strings examined one by one to name the field. The shape must have been checked first.
    """
    if isinstance(value, str):
        if holds_private_key(value):
            raise InputError(where, KEY_REFUSED)
        return
    text = text if text is not None else json.dumps(value, ensure_ascii=False, default=str)
    found = holds_private_key(text)
    if not found and _ESCAPED_CONTROL.search(text):  # control characters: DER bytes may be pasted as text
        found = holds_private_key('"'.join(s for _, s in strings(value, where)))
    if not found:
        return
    for field, string in strings(value, where):
        if holds_private_key(string):
            raise InputError(field, KEY_REFUSED)
    raise InputError(where or "(top level)", KEY_REFUSED)


def check_untrusted(data: Any, where: str, max_depth: int = MAX_CASE_DEPTH) -> None:
    """Shape, text and keys of untrusted data, in that order: each step is safe once the one before passed."""
    check_shape(data, where, max_depth)
    refuse_private_keys(data, where, check_text(data, where))


def check_answers(answers: Mapping[Any, Any], where: str) -> None:
    """Refuse an unknown question id or a value that is not one of its choices, quoting either short."""
    from certdoctor.kb import load_knowledge

    questions = {q.id: q for q in load_knowledge().questions}
    for qid, value in answers.items():
        question = questions.get(str(qid))
        if question is None:
            import difflib  # only for the message

            near = difflib.get_close_matches(str(qid)[:100], list(questions), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else f"; known: {', '.join(sorted(questions))}"
            raise InputError(join(where, qid), f"no such question{hint}")
        values = [c.value for c in question.choices]
        if str(value) not in values:
            raise InputError(f"{where}.{qid}", f"'{quote(value)}' is not one of its choices ({', '.join(values)})")


_PART = re.compile(r"^[a-z_]{1,64}(?:\[\d{1,2}\])?$")


def check_path(path: str, where: str) -> None:
    """Refuse a case-file field path that is not dotted field names (list indices allowed), quoting it short."""
    parts = path.split(".")
    if len(parts) > MAX_CASE_DEPTH:
        raise InputError(join(where, path), f"more than {MAX_CASE_DEPTH} levels deep")
    for part in parts:
        if not _PART.match(part):
            raise InputError(join(where, path), f"'{quote(part, 40)}' is not a case-file field name")
