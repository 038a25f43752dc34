"""The charts: colours told apart by colour-blind readers, no label printed over another label
or over a whisker, ranked bars with their target and last wave's marks.

Colour vision deficiency is simulated with Machado, Oliveira and Fernandes (2009), severity
1.0, on linear RGB; colours are compared by CIE76 Delta-E in CIELAB (D65).
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from matplotlib.path import Path as MplPath

from kit import plots
from kit.config import SAMPLE_CONFIG
from kit.context import open_engagement
from kit.findings import internal_nps, mapping

# ---------------------------------------------------------------- simulated colour vision

#: Machado et al. (2009), Table 1, severity 1.0: linear RGB in, linear RGB out.
MACHADO = {
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
}
SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
WHITE_D65 = np.array([0.95047, 1.0, 1.08883])
#: CIE76 distance below which two chart colours risk being read as one.
DISTINCT = 20.0


def linear(colour) -> np.ndarray:
    c = np.asarray(to_rgb(colour), float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    xyz = SRGB_TO_XYZ @ np.clip(rgb_linear, 0, 1) / WHITE_D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(colour, vision: str | None) -> np.ndarray:
    """The CIELAB colour a reader with ``vision`` (None: typical vision) sees."""
    rgb = linear(colour)
    return lab(rgb if vision is None else MACHADO[vision] @ rgb)


def delta_e(a, b, vision: str | None) -> float:
    return float(np.linalg.norm(seen(a, vision) - seen(b, vision)))


def test_the_colour_maths_against_hand_worked_values():
    assert seen("#FFFFFF", None) == pytest.approx([100, 0, 0], abs=0.01)
    assert seen("#FF0000", None) == pytest.approx([53.24, 80.09, 67.20], abs=0.05)
    assert delta_e("#000000", "#FFFFFF", None) == pytest.approx(100, abs=0.01)
    # a grey is a grey to every dichromat (each matrix row sums to 1)
    for vision in MACHADO:
        assert seen("#777777", vision) == pytest.approx(seen("#777777", None), abs=0.1)


def test_the_simulation_catches_the_old_red_green_palette():
    """The red and green the kit used to draw detractors and promoters with: apart for
    typical vision, too close once red and green collapse (protanopia)."""
    red, green = "#C0392B", "#1E8449"
    assert delta_e(red, green, None) > 90
    assert delta_e(red, green, "protanopia") < DISTINCT


CATEGORICAL = {
    **{f"category {k}": v for k, v in plots.CATEGORY_COLOURS.items()},
    **{f"mark {k}": v for k, v in plots.MARKS.items()},
}


@pytest.mark.parametrize("vision", [None, *MACHADO])
@pytest.mark.parametrize("pair", list(itertools.combinations(CATEGORICAL, 2)), ids=" / ".join)
def test_every_pair_of_categorical_colours_stays_distinct(pair, vision):
    a, b = (CATEGORICAL[k] for k in pair)
    assert delta_e(a, b, vision) >= DISTINCT, f"{pair} look alike to {vision or 'anyone'}"


@pytest.mark.parametrize("vision", [None, *MACHADO])
def test_marks_stand_out_from_the_sample_brand_bars(cfg, vision):
    for mark in plots.MARKS.values():
        assert delta_e(mark, cfg.brand_primary, vision) >= DISTINCT


@pytest.mark.parametrize("vision", [None, *MACHADO])
def test_the_score_scale_keeps_its_ends_and_halves_apart(vision):
    at = {v: plots.SCORE_CMAP((v + 100) / 200) for v in (-100, -50, 0, 50, 100)}
    assert delta_e(at[-100], at[100], vision) >= 3 * DISTINCT
    assert delta_e(at[-50], at[50], vision) >= DISTINCT
    assert delta_e(at[-100], at[0], vision) >= DISTINCT
    assert delta_e(at[100], at[0], vision) >= DISTINCT
    # lightness rises from each end to the middle: the order reads in grey too
    light = [seen(plots.SCORE_CMAP(k / 20), vision)[0] for k in range(21)]
    assert np.all(np.diff(light[:11]) > 0) and np.all(np.diff(light[10:]) < 0)


# ---------------------------------------------------------------- labels on real findings


def texts(fig) -> list:
    """Every non-empty text the figure draws: annotations, tick labels in view, axis labels,
    titles, legends, colour bars."""
    out = []
    for ax in fig.axes:
        out += list(ax.texts)
        for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            lo, hi = sorted(lim)
            out += [
                t.label1
                for t in axis.get_major_ticks()
                if t.label1.get_visible() and lo - 1e-9 <= t.get_loc() <= hi + 1e-9
            ]
            out.append(axis.label)
        out.append(ax.title)
        if ax.get_legend() is not None:
            out += list(ax.get_legend().get_texts())
    return [t for t in out if t.get_visible() and t.get_text().strip()]


def overlapping(a, b, pad: float = 0.5) -> bool:
    return a.x0 < b.x1 - pad and b.x0 < a.x1 - pad and a.y0 < b.y1 - pad and b.y0 < a.y1 - pad


def marks(ax) -> list[tuple[str, MplPath, bool]]:
    """What a label must not cover, in display space: data lines (whiskers, error bars,
    trend lines), their markers and scatter points; reference lines (zero, target, grid
    separators, network edges) are allowed under text."""
    px = ax.figure.dpi / 72
    out = []

    def square(name, x, y, half):
        out.append((name, MplPath([(x - half, y - half), (x + half, y + half)]), True))

    for line in ax.lines:
        if line.get_gid() == plots.REFERENCE:
            continue
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), float))
        xy = xy[np.isfinite(xy).all(axis=1)]
        if line.get_linestyle() not in ("None", "") and len(xy) > 1:
            out.append(("line", MplPath(xy), False))
        if line.get_marker() not in (None, "None", ""):
            for x, y in xy:
                square("marker", x, y, line.get_markersize() * px / 2)
    for coll in ax.collections:
        if coll.get_gid() == plots.REFERENCE:
            continue
        if hasattr(coll, "get_segments"):
            out += [
                ("error bar", MplPath(coll.get_transform().transform(s)), False)
                for s in coll.get_segments()
                if len(s) > 1
            ]
        elif type(coll).__name__ == "PathCollection":
            sizes = coll.get_sizes()
            for k, (x, y) in enumerate(coll.get_offset_transform().transform(coll.get_offsets())):
                square("point", x, y, np.sqrt(sizes[k % len(sizes)]) * px / 2)
    return out


def collisions(ax) -> list[str]:
    """Pairs of texts that overlap, and texts over a whisker, line or marker."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts(fig)]
    found = [
        f"{a!r} over {b!r}"
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if overlapping(box_a, box_b)
    ]
    for one in fig.axes:
        for kind, path, filled in marks(one):
            found += [
                f"{text!r} over a {kind}"
                for text, box in boxes
                if path.intersects_bbox(box, filled=filled)
            ]
    return found


@pytest.fixture(scope="module", params=["Organisation", "Regulatory"])
def scope(request):
    plots.setup(open_engagement(SAMPLE_CONFIG).cfg, vector=False)
    ctx = open_engagement(SAMPLE_CONFIG, scope=request.param, audience="client")
    yield ctx
    plt.close("all")


def previous_scores(ctx) -> pd.Series:
    """Last wave's published scores by the same groups as the current segments."""
    before = open_engagement(
        SAMPLE_CONFIG, scope=ctx.scope, wave=ctx.cfg.previous_wave, audience="client"
    )
    seg = internal_nps.segments(before)
    seg = seg[~seg["suppressed"].astype(bool)]
    return seg.set_index(seg.columns[0])["nps"]


def charts(ctx):
    """Each chart as the sections draw it, from the scope's own findings."""
    trend = internal_nps.trend(ctx)
    seg = internal_nps.segments(ctx)
    label = seg.columns[0]
    drivers = internal_nps.drivers(ctx, resamples=200)
    grid = mapping.grid(ctx)
    yield "score_distribution", plots.score_distribution(internal_nps.distribution(ctx))
    yield (
        "nps_trend",
        plots.nps_trend(trend.waves, changes=trend.changes, weightings=trend.weightings),
    )
    yield "nps_bars", plots.nps_bars(seg, label=label)
    yield (
        "nps_bars ranked, target and previous",
        plots.nps_bars(
            seg,
            label=label,
            target=ctx.cfg.target_nps,
            previous=previous_scores(ctx),
            previous_label=ctx.cfg.previous_wave,
        ),
    )
    yield "category_split", plots.category_split(seg, label=label)
    yield "nps_matrix", plots.nps_matrix(internal_nps.matrix(ctx).cells)
    yield "response_rates", plots.response_rates(internal_nps.participation(ctx).rates)
    gaps = internal_nps.gap(ctx)
    shown = gaps[~gaps["suppressed"] & gaps["predicted"].notna()]
    if len(shown):
        yield "gap_360", plots.gap_360(shown)
    if len(drivers.table):
        yield "driver_importance", plots.driver_importance(drivers.table)
        yield "driver_map", plots.driver_map(drivers.table, drivers.levels)
    themes = internal_nps.themes(ctx)
    if len(themes.counts):
        yield "theme_counts", plots.theme_counts(themes.counts)
    yield (
        "power_interest_grid",
        plots.power_interest_grid(grid.placed, high=grid.high, highlight=ctx.provider),
    )
    net = mapping.network(ctx)
    yield (
        "network",
        plots.network(
            net.graph,
            nps=internal_nps.segments(ctx).set_index(label)["nps"] if ctx.is_organisation else None,
        ),
    )
    pairs = mapping.touchpoints(ctx, top=10).pairs
    if len(pairs):
        yield "collision_matrix", plots.collision_matrix(pairs)


def test_no_label_prints_over_another_or_over_a_whisker(scope):
    drawn, problems = [], []
    for name, ax in charts(scope):
        drawn.append(name)
        problems += [f"{scope.scope}, {name}: {p}" for p in collisions(ax)]
        plt.close(ax.figure)
    assert {"nps_trend", "nps_bars", "power_interest_grid", "network"} <= set(drawn)
    assert not problems, "\n".join(problems)


def test_the_overlap_check_can_fail():
    """A label written across a whisker and two labels on one spot are both caught."""
    _, ax = plt.subplots()
    ax.plot([0, 10], [1, 1], color="#333")
    ax.set_xlim(-1, 11)
    ax.set_ylim(0, 2)
    ax.annotate("over the whisker", (5, 1), ha="center", va="center")
    ax.annotate("one", (2, 1.6))
    ax.annotate("one too", (2, 1.6))
    found = collisions(ax)
    plt.close(ax.figure)
    assert "'over the whisker' over a line" in found
    assert "'one' over 'one too'" in found


# ---------------------------------------------------------------- ranked bars, target, previous


def bars_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "function": ["Finance", "HR", "IT", "Legal"],
            "n": [20, 30, 40, 3],
            "nps": [10.0, -20.0, 35.0, np.nan],
            "ci_low": [-5.0, -40.0, 20.0, np.nan],
            "ci_high": [25.0, 0.0, 50.0, np.nan],
            "suppressed": [False, False, False, True],
        }
    )


def test_bars_rank_best_first_withheld_last_and_say_so():
    ax = plots.nps_bars(bars_table(), label="function")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["IT", "Finance", "HR", "Legal"]
    bottom, top = ax.get_ylim()
    assert bottom > top, "the first row (the best) is on top"
    widths = [p.get_width() for p in ax.patches]
    assert widths == [35.0, 10.0, -20.0]
    values = [t.get_text() for t in ax.texts]
    assert values == ["+35 (n=40)", "+10 (n=20)", "\u221220 (n=30)", "withheld"]
    plt.close(ax.figure)


def test_bars_draw_the_target_and_last_waves_scores():
    previous = pd.Series({"IT": 40.0, "HR": -5.0, "Legal": 12.0})  # Finance: no score then
    ax = plots.nps_bars(
        bars_table(), label="function", target=20, previous=previous, previous_label="2025-H2"
    )
    target = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(target) == 1 and list(target[0].get_xdata()) == [20, 20]
    assert "Target +20" in [t.get_text() for t in ax.texts]
    diamonds = [line for line in ax.lines if line.get_marker() == "D" and len(line.get_xdata())]
    # IT (row 0) and HR (row 2); Legal's score is withheld now, so its old one is not drawn
    assert sorted((float(d.get_xdata()[0]), float(d.get_ydata()[0])) for d in diamonds) == [
        (-5.0, 2.0),
        (40.0, 0.0),
    ]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2025-H2"]
    plt.close(ax.figure)


def test_bars_take_last_waves_scores_from_a_column_too():
    table = bars_table().assign(before=[0.0, np.nan, 30.0, np.nan])
    ax = plots.nps_bars(table, label="function", previous="before")
    diamonds = [line for line in ax.lines if line.get_marker() == "D" and len(line.get_xdata())]
    assert sorted(float(d.get_xdata()[0]) for d in diamonds) == [0.0, 30.0]
    plt.close(ax.figure)


def test_the_matrix_reads_each_shown_cells_score_over_its_n():
    ctx = open_engagement(SAMPLE_CONFIG, audience="client")
    cells = internal_nps.matrix(ctx).cells
    ax = plots.nps_matrix(cells)
    said = {t.get_text() for t in ax.texts}
    shown = cells[~cells["suppressed"]]
    for _, c in shown.iterrows():
        assert f"{plots._signed(c['nps'])}\n{int(c['n'])}" in said
    marked = [t for t in ax.texts if t.get_text() == "s"]
    assert len(marked) == int(cells["suppressed"].sum()), "every withheld cell marked, no n"
    plt.close(ax.figure)
