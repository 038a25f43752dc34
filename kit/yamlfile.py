"""One way in for every YAML file the kit reads: the engagement, codebooks, import mappings.

:func:`read` loads plain values only (PyYAML's safe loader: no tags that build objects), and
refuses, naming the file, the line and what to do:

- a key set twice in one mapping (YAML would silently keep the last);
- anchors and aliases (``&name`` / ``*name``): the kit's files never need them, and nested
  aliases can expand to billions of values (an "alias bomb");
- a tab in the indentation, a tag (``!!python/...``), or anything else PyYAML cannot parse;
- a file that is not UTF-8 text.

Example
-------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "engagement.yaml"
>>> _ = path.write_text("client: Acme\\nwaves: [W1]\\nclient: Beta\\n", encoding="utf-8")
>>> read(path)
Traceback (most recent call last):
...
kit.yamlfile.YamlError: engagement.yaml, line 3: 'client' is set twice (lines 1 and 3): keep one.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from kit.errors import KitError

__all__ = ["YamlError", "read"]


class YamlError(KitError):
    """A YAML file the kit cannot read as plain settings."""

    def __init__(self, path: Path, problem: str, line: int | None = None):
        self.path, self.line = Path(path), line
        where = f"{self.path.name}, line {line}" if line else self.path.name
        super().__init__(f"{where}: {problem}")


class _Refused(yaml.YAMLError):
    def __init__(self, problem: str, mark):
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing repeated keys and aliases."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                f"an alias (*{event.anchor}) repeats another value: the kit's files do not use "
                "anchors and aliases; write the value out where it is needed.",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.setdefault(key, line)
            except TypeError:  # an unhashable key: PyYAML says so below
                continue
            if first != line:
                raise _Refused(
                    f"'{key}' is set twice (lines {first} and {line}): keep one.",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


def _advice(exc: yaml.YAMLError) -> str:
    text = str(getattr(exc, "problem", "") or exc)
    if "'\\t'" in text:  # PyYAML: found character '\t' that cannot start any token
        return "a tab in the indentation: YAML indents with spaces only; replace the tab."
    if "constructor for the tag" in text or "could not determine a constructor" in text:
        tag = text.split("tag", 1)[-1].strip(" '").replace("tag:yaml.org,2002:", "!!")
        return (
            f"the tag {tag!r} is not allowed: the kit reads plain values only (text, numbers, "
            "lists, settings); remove the tag."
        )
    return f"{text}; check the line (quotes, colons and indentation)."


def read(path: Path | str):
    """The plain values of a YAML file (None for an empty one), or :class:`YamlError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # Notepad's UTF-8 starts with a BOM
    except UnicodeDecodeError:
        raise YamlError(
            path, "is not UTF-8 text: save it as UTF-8 (a text editor's 'Save as')."
        ) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as exc:
        raise YamlError(path, exc.problem, exc.problem_mark.line + 1) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        raise YamlError(path, _advice(exc), mark.line + 1 if mark else None) from None
