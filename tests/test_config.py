from pathlib import Path

import pytest

from kit.config import ConfigError, load_engagement, slug


def test_sample_config_reads(cfg):
    assert cfg.client == "Helix Biopharma"
    assert cfg.waves == ("2025-H1", "2025-H2", "2026-H1")
    assert cfg.current_wave == "2026-H1"
    assert cfg.previous_wave == "2025-H2"
    assert cfg.previous_wave_of("2025-H1") is None
    assert cfg.thresholds.min_group_size == 5
    assert cfg.thresholds.min_comment_group_size == 10
    assert cfg.influence_labels["very high"] == 5


def test_every_problem_listed_at_once(tmp_path: Path):
    path = tmp_path / "engagement.yaml"
    path.write_text(
        "client: Acme\nwaves: [W1, W1]\ncurrent_wave: W9\nthresholds: {min_group_size: 0,"
        " confidence: 2}\nbrand: {primary: red}\nmystery: 1\n"
    )
    with pytest.raises(ConfigError) as err:
        load_engagement(path)
    text = str(err.value)
    for expected in [
        "'title' is required",
        "lists a wave twice",
        "'current_wave' 'W9'",
        "min_group_size",
        "confidence",
        "brand.primary",
        "unknown setting 'mystery'",
    ]:
        assert expected in text
    assert len(err.value.problems) == 7
    assert str(path) in text


def test_infinite_and_missing_numbers_are_not_settings(tmp_path: Path):
    """YAML's .inf and .nan are numbers to a parser; as thresholds they are refused, named."""
    path = tmp_path / "engagement.yaml"
    path.write_text(
        "client: Acme\ntitle: T\nwaves: [W1]\ncurrent_wave: W1\n"
        "thresholds: {min_group_size: .inf, confidence: .nan}\nnps: {target: -.inf}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_engagement(path)
    assert err.value.problems == [
        "'thresholds.min_group_size' must be a whole number between 1 and 1000, got inf",
        "'thresholds.confidence' must be a number between 0.5 and 0.999, got nan",
        "'nps.target' must be a number between -100 and 100, got -inf",
    ]


def test_missing_file_is_named(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="nope.yaml"):
        load_engagement(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Legal & Compliance", "legal-compliance"),
        ("../../etc/passwd", "etc-passwd"),
        ("/abs/path", "abs-path"),
        ("{x}", "x"),
        ("", "name-e3b0c442"),  # sha256 of nothing: still a name
        ("研究開発", "name-fc5c02ad"),
        ("Médical", "medical"),
        ("2026-H1", "2026-h1"),
    ],
)
def test_slug_is_never_a_path(text, expected):
    assert slug(text) == expected
    assert "/" not in slug(text) and ".." not in slug(text)


def test_a_notebook_can_raise_the_anonymity_threshold_but_not_lower_it():
    from kit.config import SAMPLE_CONFIG
    from kit.context import open_engagement

    assert open_engagement(SAMPLE_CONFIG, min_group_size=12).min_n == 12
    assert open_engagement(SAMPLE_CONFIG, min_group_size=2).min_n == 5
    with pytest.raises(ValueError, match=r"wave '2030' is not one of .*min_group_size -1"):
        open_engagement(SAMPLE_CONFIG, wave="2030", min_group_size=-1)


@pytest.mark.parametrize(
    ("parameters", "said"),
    [
        ({"scope": ["Sales"]}, "scope ['Sales'] must be one name"),
        ({"wave": ["2026-H1"]}, "wave ['2026-H1'] is not one of"),
        ({"audience": ["client"]}, "audience ['client'] must be one of"),
        ({"min_group_size": True}, "min_group_size True must be a whole number"),
        ({"min_group_size": "7"}, "min_group_size '7' must be a whole number"),
    ],
)
def test_a_notebook_parameter_of_the_wrong_kind_is_named(parameters, said):
    """A list or a flag passed as a notebook parameter (papermill -p) is refused, named."""
    from kit.config import SAMPLE_CONFIG
    from kit.context import open_engagement
    from kit.errors import KitError

    with pytest.raises(KitError) as err:
        open_engagement(SAMPLE_CONFIG, **parameters)
    assert str(err.value).startswith(said)
