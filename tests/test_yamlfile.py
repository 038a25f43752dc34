"""Every YAML file the kit reads goes through one loader: repeated keys, aliases, tabs, tags and
non-UTF-8 text are refused with the file, the line and what to do, and nothing is executed."""

from __future__ import annotations

import time

import pytest

from kit.cli import main
from kit.yamlfile import YamlError, read

BAD = {
    "repeated key": (
        "client: Acme\ntitle: Review\nclient: Beta\n",
        "line 3: 'client' is set twice (lines 1 and 3): keep one.",
    ),
    "nested repeated key": (
        "thresholds:\n  min_group_size: 5\n  min_group_size: 3\n",
        "line 3: 'min_group_size' is set twice (lines 2 and 3)",
    ),
    "tab": ("client: Acme\nwaves:\n\t- W1\n", "line 3: a tab in the indentation"),
    "python tag": (
        "note: !!python/object/apply:os.system ['touch {marker}']\n",
        "line 1: the tag '!!python/object/apply:os.system' is not allowed",
    ),
    "alias bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
            for i in range(8)
        ),
        "line 2: an alias (*a) repeats another value",
    ),
    "unclosed list": ("waves: [W1, W2\n", "line 2: expected ',' or ']'"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_yaml_file_is_refused_with_its_line_and_what_to_do(kind, tmp_path):
    text, said = BAD[kind]
    marker = tmp_path / "executed"
    path = tmp_path / "engagement.yaml"
    path.write_text(text.format(marker=marker), encoding="utf-8")
    before = path.read_bytes()
    started = time.perf_counter()
    with pytest.raises(YamlError) as caught:
        read(path)
    assert time.perf_counter() - started < 1
    assert str(caught.value).startswith(f"engagement.yaml, {said}")
    assert not marker.exists(), "nothing in a file is ever executed"
    assert path.read_bytes() == before, "the file is not touched"


def test_plain_files_read_as_before_notepads_bom_included(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_bytes("\ufeffclient: Zürich AG\nwaves: [W1, W2]\nnothing:\n".encode())
    assert read(path) == {"client": "Zürich AG", "waves": ["W1", "W2"], "nothing": None}
    path.write_bytes("client: Acme\n".encode("utf-16"))
    with pytest.raises(YamlError, match="m.yaml: is not UTF-8 text: save it as UTF-8"):
        read(path)


@pytest.mark.parametrize("kind", ["repeated key", "tab", "python tag", "alias bomb"])
def test_kit_validate_answers_a_bad_engagement_file_without_a_traceback(kind, sample_copy, capsys):
    """The engagement file goes through the same loader: the command names file and line."""
    path = sample_copy / "engagement.yaml"
    text, said = BAD[kind]
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text.format(marker="x"))
    assert main(["validate", str(path)]) != 0
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert "engagement.yaml, line" in out.out + out.err
    assert said.split(": ", 1)[1][:25] in out.out + out.err
