"""Charts and workshop widgets wear the engagement's brand colours, as the pack's CSS does."""

from __future__ import annotations

import matplotlib
import pytest
import yaml

from kit import plots
from kit.context import open_engagement
from kit.findings import internal_nps as find
from kit.narrative import chart

matplotlib.use("Agg")


@pytest.fixture
def branded(sample_copy):
    path = sample_copy / "engagement.yaml"
    raw = yaml.safe_load(path.read_text())
    raw["brand"] = {"primary": "#123456", "accent": "#ABCDEF"}
    path.write_text(yaml.safe_dump(raw))
    before = dict(plots.BRAND)
    yield open_engagement(path, scope="Regulatory")
    plots.BRAND.update(before)
    plots.setup()


def test_charts_take_the_brand_colours(branded):
    plots.setup(branded.cfg)
    waves, changes, _ = find.trend(branded)
    svg = chart(plots.nps_trend(waves, changes=changes)).data.lower()
    assert "#123456" in svg and "#1b4f72" not in svg, "the line in the brand's primary colour"
    assert "#abcdef" in svg, "the significant change in the brand's accent colour"


def test_workshop_widgets_take_the_brand_colours(branded):
    from kit.widgets import Workshop

    tool = Workshop(branded).explorer
    css = tool.children[0].value
    assert "--kit-p: #123456; --kit-a: #ABCDEF;" in css
    assert "#1B4F72" not in css and "#C0392B" not in css
