"""Charts in one client-ready style. Each function takes tidy data and ``ax=None`` and returns
the matplotlib ``Axes`` it drew on.

Colours are safe for colour-blind readers: categories take the Okabe-Ito set (detractors
vermillion, passives grey, promoters blue), scores a blue-orange diverging map, counts a single
hue; the client's brand colours draw the neutral series. Labels never print over each other
or over a whisker: values sit in a column beside the bars, other labels are placed where they
collide with nothing (:func:`_place`).

Example
-------
>>> from kit.config import SAMPLE_CONFIG
>>> from kit.context import open_engagement
>>> from kit.findings import internal_nps as find
>>> ax = score_distribution(find.distribution(open_engagement(SAMPLE_CONFIG)))
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox, blended_transform_factory

__all__ = [
    "BRAND",
    "CATEGORY_COLOURS",
    "OKABE_ITO",
    "MARKS",
    "SCORE_CMAP",
    "COUNT_CMAP",
    "setup",
    "use_brand",
    "score_distribution",
    "category_split",
    "nps_trend",
    "nps_bars",
    "power_interest_grid",
    "nps_matrix",
    "gap_360",
    "response_rates",
    "driver_importance",
    "driver_map",
    "theme_counts",
    "network",
    "collision_matrix",
]

#: Okabe & Ito (2008), the categorical set told apart with every common colour vision.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
CATEGORY_COLOURS = {
    "detractor": OKABE_ITO["vermillion"],
    "passive": "#BBBBBB",
    "promoter": OKABE_ITO["blue"],
}
#: Marks drawn over the brand's bars: the previous wave's score and the target.
MARKS = {"previous": OKABE_ITO["yellow"], "target": "#333333"}
MUTED = "#7F8C8D"
#: Scores from -100 to +100: orange (negative) through near-white to blue (positive).
SCORE_CMAP = LinearSegmentedColormap.from_list(
    "kit_scores", ["#B35806", "#F1A340", "#F7F7F7", "#67A9CF", "#2166AC"]
)
#: Counts (collisions): one hue, light to dark.
COUNT_CMAP = "Oranges"
#: Quadrant tints of the power/interest grid (told apart by their names, printed on them).
QUADRANT_TINTS = {
    "Manage closely": "#FBE3C4",
    "Keep satisfied": "#F7F3CF",
    "Keep informed": "#D9ECF7",
    "Monitor": "#F2F2F2",
}
#: The engagement's brand colours, set by :func:`setup` (or :func:`use_brand`): the charts'
#: main colour and their highlights, as in the pack's style sheet.
BRAND = {"primary": "#1B4F72", "accent": "#C0392B"}
#: The width of a chart printed across an A4 page of the pack (inches): fonts print at size.
PAGE_WIDTH = 7.1
REFERENCE = "reference"  # gid of reference lines (zero, target): labels may cross them


def use_brand(cfg) -> None:
    """Take the charts' and widgets' colours from an engagement's ``brand`` settings."""
    BRAND.update(primary=cfg.brand_primary, accent=cfg.brand_accent)


def setup(cfg=None, *, vector: bool = True) -> None:
    """The kit's chart style, in the brand colours of ``cfg`` (an engagement) when given; SVG
    output in notebooks (crisp in HTML and PDF) when ``vector``."""
    if cfg is not None:
        use_brand(cfg)
    sns.set_theme(
        style="whitegrid",
        context="notebook",
        font="DejaVu Sans",
        rc={
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "axes.labelsize": 10,
            "figure.dpi": 110,
            "savefig.bbox": "tight",
            "svg.fonttype": "none",  # text stays text: smaller, faster, searchable
            "svg.hashsalt": "kit",
        },
    )
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        if vector:  # no drawing time in the SVG: the same inputs give the same pack
            set_matplotlib_formats("svg", metadata={"Date": None})
        else:
            set_matplotlib_formats("png")
    except ImportError:  # outside IPython
        pass


def _ax(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _signed(value: float) -> str:
    """A score as the pack writes it: +12, −4 (a true minus sign), 0."""
    text = f"{value:+.0f}"
    return "0" if text in ("+0", "-0") else text.replace("-", "\u2212")


def _ranked(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Rows shown ranked by ``by``, highest first; withheld rows after them, in their order."""
    hidden = table["suppressed"].astype(bool)
    shown = table[~hidden].sort_values(by, ascending=False, kind="stable")
    return pd.concat([shown, table[hidden]]).reset_index(drop=True)


# ---------------------------------------------------------------- placing labels


def _renderer(fig):
    get = getattr(fig.canvas, "get_renderer", None)
    return get() if get is not None else fig._get_renderer()


def _overlap(a: Bbox, b: Bbox, pad: float = 0.5) -> bool:
    return a.x0 < b.x1 - pad and b.x0 < a.x1 - pad and a.y0 < b.y1 - pad and b.y0 < a.y1 - pad


def _marks(ax: Axes) -> list[tuple[MplPath, bool]]:
    """The marks of ``ax`` a label must not cover, as display-space paths (``True``: a filled
    marker): data lines and their markers, error bars, scatter points. Reference lines
    (gid :data:`REFERENCE`) and the grid are left out."""
    out: list[tuple[MplPath, bool]] = []
    px = ax.figure.dpi / 72

    def squares(points: np.ndarray, half: float) -> None:
        for x, y in points:
            out.append((MplPath([(x - half, y - half), (x + half, y + half)]), True))

    for line in ax.lines:
        if line.get_gid() == REFERENCE or not line.get_visible():
            continue
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), float))
        xy = xy[np.isfinite(xy).all(axis=1)]
        if line.get_linestyle() not in ("None", "none", "", " ") and len(xy) > 1:
            out.append((MplPath(xy), False))
        if line.get_marker() not in (None, "None", "none", "", " "):
            squares(xy, line.get_markersize() * px / 2)
    for coll in ax.collections:
        if coll.get_gid() == REFERENCE or not coll.get_visible():
            continue
        if hasattr(coll, "get_segments"):
            for seg in coll.get_segments():
                if len(seg) > 1:
                    out.append((MplPath(coll.get_transform().transform(seg)), False))
        elif hasattr(coll, "get_offsets") and hasattr(coll, "get_sizes"):
            sizes = coll.get_sizes()
            offsets = coll.get_offset_transform().transform(coll.get_offsets())
            for k, (x, y) in enumerate(offsets):
                s = sizes[k % len(sizes)] if len(sizes) else 36
                squares(np.array([[x, y]]), np.sqrt(s) * px / 2)
    return out


def _place(
    ax: Axes,
    text: str,
    candidates: list[tuple[tuple[float, float], float, float, str, str]],
    taken: list[Bbox],
    marks: list[tuple[MplPath, bool]],
    **style,
):
    """Write ``text`` at the first of ``candidates`` (anchor ``(x, y)`` in data, offset
    ``dx``, ``dy`` in points, ``ha``, ``va``) where it covers no box of ``taken``, no mark of
    ``marks`` and stays inside the axes; else where it covers fewest. Its box joins
    ``taken``."""
    renderer = _renderer(ax.figure)
    inside = ax.get_window_extent(renderer)
    best = None
    for xy, dx, dy, ha, va in candidates:
        label = ax.annotate(
            text, xy, xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, **style
        )
        box = label.get_window_extent(renderer)
        hits = (
            sum(_overlap(box, b) for b in taken)
            + sum(p.intersects_bbox(box, filled=filled) for p, filled in marks)
            + (not (inside.x0 <= box.x0 and box.x1 <= inside.x1))
            + (not (inside.y0 <= box.y0 and box.y1 <= inside.y1))
        )
        if best is None or hits < best[0]:
            if best is not None:
                best[1].remove()
            best = (hits, label, box)
        else:
            label.remove()
        if hits == 0:
            break
    taken.append(best[2])
    return best[1]


def _around(xy: tuple[float, float], gap: float = 7) -> list:
    """Spots around a point: right, above, below, left, then the four diagonals."""
    return [
        (xy, dx * gap, dy * gap, ha, va)
        for dx, dy, ha, va in (
            (1, 0, "left", "center"),
            (0, 1, "center", "bottom"),
            (0, -1, "center", "top"),
            (-1, 0, "right", "center"),
            (1, 1, "left", "bottom"),
            (1, -1, "left", "top"),
            (-1, 1, "right", "bottom"),
            (-1, -1, "right", "top"),
        )
    ]


# ---------------------------------------------------------------- the charts


def score_distribution(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Bars of the 0-10 answers, coloured detractor / passive / promoter, with the share on top.

    ``table`` is :func:`kit.findings.internal_nps.distribution`: ``score``, ``n``, ``category``.
    """
    ax = _ax(ax, (PAGE_WIDTH, 2.4))
    counts = table.set_index("score")["n"]
    colours = [CATEGORY_COLOURS[c] for c in table["category"]]
    ax.bar(counts.index, counts.to_numpy(), color=colours, width=0.8)
    total = max(int(counts.sum()), 1)
    for s, c in counts.items():
        if c:
            ax.annotate(
                f"{100 * c / total:.0f}%",
                (s, c),
                ha="center",
                va="bottom",
                fontsize=8,
                xytext=(0, 2),
                textcoords="offset points",
                color="#333",
            )
    ax.set_ylim(0, max(1, int(counts.max())) * 1.15)
    ax.set_xticks(range(11))
    ax.set_xlabel("Likelihood to recommend (0 = not at all, 10 = extremely likely)")
    ax.set_ylabel("Responses")
    ax.grid(axis="x", visible=False)
    return ax


def category_split(table: pd.DataFrame, *, label: str, ax: Axes | None = None) -> Axes:
    """Stacked 100% bars of detractors / passives / promoters per group, ranked by NPS as in
    :func:`nps_bars` (withheld groups left out).

    ``table`` is the output of :func:`kit.nps.summary` with a ``by`` column named ``label``.
    """
    shown = _ranked(table, "nps")
    shown = shown[~shown["suppressed"].astype(bool)]
    ax = _ax(ax, (PAGE_WIDTH, 0.22 * len(shown) + 0.8))
    left = np.zeros(len(shown))
    y = np.arange(len(shown))
    for cat, col in (
        ("detractor", "pct_detractors"),
        ("passive", "pct_passives"),
        ("promoter", "pct_promoters"),
    ):
        values = shown[col].to_numpy(dtype=float)
        ax.barh(
            y,
            values,
            left=left,
            color=CATEGORY_COLOURS[cat],
            label=cat.capitalize() + "s",
            height=0.7,
        )
        left += values
    ax.set_yticks(y, shown[label].astype(str))
    ax.set_ylim(len(shown) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of responses (%)")
    ax.legend(ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=8)
    ax.grid(axis="y", visible=False)
    return ax


def nps_trend(
    trend: pd.DataFrame,
    *,
    wave: str = "wave",
    changes: pd.DataFrame | None = None,
    weightings: pd.DataFrame | None = None,
    ax: Axes | None = None,
) -> Axes:
    """NPS per wave with its interval; changes between waves labelled with their verdict.

    ``trend`` is :func:`kit.nps.summary` by wave (in wave order); ``changes`` optionally
    :func:`kit.nps.compare_waves` for the same data (columns ``wave_from``, ``wave_to``,
    ``difference``, ``significant``, and ``verdict`` if known); ``weightings`` optionally the
    same score weighed otherwise (columns ``wave``, ``equal_weight``, ``by_headcount``),
    drawn as dashed lines. Each score's label goes where it covers no line.
    """
    ax = _ax(ax, (PAGE_WIDTH, 2.8))
    shown = trend[~trend["suppressed"]].reset_index(drop=True)
    x = np.arange(len(shown))
    nps = shown["nps"].to_numpy(float)
    err = np.vstack([nps - shown["ci_low"].to_numpy(float), shown["ci_high"].to_numpy(float) - nps])
    ax.errorbar(x, nps, yerr=err, fmt="o-", color=BRAND["primary"], ecolor=MUTED, capsize=4, lw=2)
    if weightings is not None and len(weightings):
        at = weightings.set_index("wave").reindex(shown[wave])
        for column, label, style in (
            ("equal_weight", "each function counted equally", "--"),
            ("by_headcount", "functions weighed by headcount", ":"),
        ):
            ax.plot(x, at[column].to_numpy(float), style, color=MUTED, lw=1.5, label=label)
        ax.plot([], [], "o-", color=BRAND["primary"], label="every rating counted once")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=7, frameon=False)
    ax.axhline(0, color="#999", lw=0.8, gid=REFERENCE)
    ax.set_xticks(x, shown[wave].astype(str))
    ax.set_ylim(-100, 105)
    ax.set_ylabel("NPS")
    ax.set_xlim(-0.5, len(shown) - 0.5)
    taken: list[Bbox] = []
    if changes is not None and len(shown) > 1:
        pos = {w: i for i, w in enumerate(shown[wave])}
        for _, c in changes.iterrows():
            if c.get("wave_from") in pos and c.get("wave_to") in pos and pd.notna(c["difference"]):
                i = (pos[c["wave_from"]] + pos[c["wave_to"]]) / 2
                verdict = c.get("verdict") or ("significant" if c["significant"] else "")
                note = ax.annotate(
                    f"{_signed(c['difference'])} " + (verdict or "not significant"),
                    (i, 95),
                    ha="center",
                    va="top",
                    fontsize=8,
                    color=BRAND["accent"] if c["significant"] else MUTED,
                    fontweight="bold" if c["significant"] else "normal",
                )
                taken.append(note.get_window_extent(_renderer(ax.figure)))
    marks = _marks(ax)
    for xi, (v, n, lo, hi) in enumerate(
        zip(nps, shown["n"], shown["ci_low"], shown["ci_high"], strict=True)
    ):
        spots = [
            ((xi, hi), 0, 5, "center", "bottom"),
            ((xi, lo), 0, -5, "center", "top"),
            ((xi, v), 9, 0, "left", "center"),
            ((xi, v), -9, 0, "right", "center"),
            ((xi, hi), 9, 5, "left", "bottom"),
            ((xi, lo), 9, -5, "left", "top"),
            ((xi, hi), -9, 5, "right", "bottom"),
            ((xi, lo), -9, -5, "right", "top"),
        ]
        _place(ax, f"{_signed(v)} (n={int(n)})", spots, taken, marks, fontsize=8)
    return ax


def _previous_scores(t: pd.DataFrame, label: str, previous) -> pd.Series:
    """Last wave's score per row of ``t`` (NaN where there is none): ``previous`` is a Series
    by the values of ``label``, or the name of a column of ``t``."""
    if previous is None:
        return pd.Series(np.nan, index=t.index)
    if isinstance(previous, str):
        return pd.to_numeric(t[previous], errors="coerce")
    by_label = pd.Series(previous)
    return pd.to_numeric(t[label].map(by_label), errors="coerce")


def nps_bars(
    table: pd.DataFrame,
    *,
    label: str,
    highlight: str | None = None,
    target: float | None = None,
    previous: pd.Series | str | None = None,
    previous_label: str = "Previous wave",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal NPS per group with its 95% interval, ranked best first; withheld groups
    last, marked "withheld", never scored.

    ``target``: a score drawn as a labelled vertical line. ``previous``: last wave's scores
    by the same labels (a Series indexed by the values of ``label``, or the name of a column
    of ``table``), drawn as a diamond named ``previous_label`` in the legend. Each group's
    score and n are printed in a column right of the chart, clear of every whisker.
    """
    t = _ranked(table, "nps")
    before = _previous_scores(t, label, previous)
    ax = _ax(ax, (PAGE_WIDTH, 0.25 * len(t) + 1.0))
    values = blended_transform_factory(ax.transAxes, ax.transData)
    for i, row in t.iterrows():
        if row["suppressed"]:
            ax.text(
                1.02,
                i,
                "withheld",
                transform=values,
                va="center",
                fontsize=8,
                color=MUTED,
                style="italic",
            )
            continue
        colour = BRAND["accent"] if highlight is not None and row[label] == highlight else None
        ax.barh(i, row["nps"], color=colour or BRAND["primary"], alpha=0.85, height=0.6)
        ax.plot([row["ci_low"], row["ci_high"]], [i, i], color="#333", lw=1)
        for end in (row["ci_low"], row["ci_high"]):
            ax.plot([end, end], [i - 0.15, i + 0.15], color="#333", lw=1)
        ax.text(
            1.02,
            i,
            f"{_signed(row['nps'])} (n={int(row['n'])})",
            transform=values,
            va="center",
            fontsize=8,
        )
        if pd.notna(before[i]):
            ax.plot(before[i], i, "D", ms=6, mfc=MARKS["previous"], mec="#222", mew=0.8, zorder=4)
    ax.set_yticks(np.arange(len(t)), t[label].astype(str))
    ax.set_ylim(len(t) - 0.5, -0.5)
    ax.axvline(0, color="#999", lw=0.8, gid=REFERENCE)
    ax.set_xlim(-100, 100)
    ax.set_xticks(range(-100, 101, 25))
    ax.set_xlabel("NPS with its 95% interval; at right, the score and its number of responses")
    ax.grid(axis="y", visible=False)
    left_legend = True
    if target is not None:
        ax.axvline(target, color=MARKS["target"], lw=1.2, ls="--", gid=REFERENCE, zorder=1.5)
        ax.text(
            target,
            1.0,
            f"Target {_signed(target)}",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
            color=MARKS["target"],
        )
        left_legend = target > -25  # the legend keeps clear of the target's label
    if before.notna().any():
        ax.plot([], [], "D", ms=6, mfc=MARKS["previous"], mec="#222", label=previous_label)
        ax.legend(
            loc="lower left" if left_legend else "lower right",
            bbox_to_anchor=(0, 1.0) if left_legend else (1, 1.0),
            frameon=False,
            fontsize=8,
            handletextpad=0.3,
            borderaxespad=0.2,
        )
    return ax


def power_interest_grid(
    placed: pd.DataFrame,
    *,
    label: str = "name",
    influence: str = "influence",
    interest: str = "interest",
    high: int = 4,
    highlight: str | None = None,
    function: str = "function",
    per_cell: int = 7,
    ax: Axes | None = None,
) -> Axes:
    """The power/interest grid as a board: each 1-5 x 1-5 cell lists the stakeholders in it.

    Labels never overlap: names are stacked inside their cell (at most ``per_cell``, or fewer
    when the cell is too short for them, then "+n more") and cut to the cell's width; the
    quadrants are named in bands above and below the board, where no name is. Stakeholders of
    the ``highlight`` function are in bold.
    """
    ax = _ax(ax, (PAGE_WIDTH, 4.6))  # with its heading, fits under a part opening
    band = 0.32  # the bands above and below the board that name the quadrants
    lo = high - 0.5
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5 - band, 5.5 + band)
    spans = {
        "Keep informed": ((0.5, lo), (lo, 5.5 + band), ("left", "top")),
        "Manage closely": ((lo, 5.5), (lo, 5.5 + band), ("right", "top")),
        "Monitor": ((0.5, lo), (0.5 - band, lo), ("left", "bottom")),
        "Keep satisfied": ((lo, 5.5), (0.5 - band, lo), ("right", "bottom")),
    }
    for name, ((x0, x1), (y0, y1), (ha, va)) in spans.items():
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, color=QUADRANT_TINTS[name], lw=0))
        ax.text(
            x0 + 0.06 if ha == "left" else x1 - 0.06,
            y1 - 0.07 if va == "top" else y0 + 0.07,
            name.upper(),
            ha=ha,
            va=va,
            fontsize=8,
            color="#444",
            fontweight="bold",
        )
    renderer = _renderer(ax.figure)
    unit_w = ax.get_window_extent(renderer).width / 5
    unit_h = ax.get_window_extent(renderer).height / (5 + 2 * band)
    size = 6.3
    step = 1.3 * size * ax.figure.dpi / 72 / unit_h  # one line, in data units
    fits = max(2, min(per_cell, int(0.86 / step)))
    cells = placed.sort_values([influence, interest, label]).groupby([influence, interest])
    for (inf, intr), group in cells:
        names = group[label].astype(str).tolist()
        bold = (group[function] == highlight).tolist() if highlight else [False] * len(names)
        if len(names) > fits:
            names, bold = names[: fits - 1] + [f"+{len(names) - fits + 1} more"], bold
        for k, (text, b) in enumerate(zip(names, bold, strict=False)):
            name = ax.text(
                inf - 0.45,
                intr + 0.43 - k * step,
                text,
                fontsize=size,
                va="top",
                fontweight="bold" if b else "normal",
                color="#1B2631" if b else "#34495E",
            )
            width = len(text)
            while name.get_window_extent(renderer).width > 0.9 * unit_w and width > 6:
                width -= 1
                name.set_text(textwrap.shorten(text, width, placeholder="…"))
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    for v in np.arange(1.5, 5.5):
        ax.axvline(v, color="white", lw=1.5, gid=REFERENCE)
        ax.axhline(v, color="white", lw=1.5, gid=REFERENCE)
    for v in (0.5, 5.5):
        ax.axhline(v, color="white", lw=2.5, gid=REFERENCE)
    ax.set_xlabel("Influence (power) →")
    ax.set_ylabel("Interest →")
    ax.grid(False)
    return ax


def nps_matrix(
    table: pd.DataFrame,
    *,
    provider: str = "provider_function",
    customer: str = "respondent_function",
    ax: Axes | None = None,
) -> Axes:
    """Annotated heatmap of the NPS each provider (row) receives from each customer (column),
    on the blue-orange score scale.

    ``table`` is :func:`kit.nps_tables.matrix`. Each shown cell reads its score over its n;
    suppressed cells are hatched and marked "s"; blank cells had no ratings.
    """
    names = sorted(set(table[provider]) | set(table[customer]))
    wide = table.pivot(index=provider, columns=customer, values="nps").reindex(
        index=names, columns=names
    )
    sizes = table.pivot(index=provider, columns=customer, values="n").reindex(
        index=names, columns=names
    )
    label = pd.DataFrame(
        [
            ["" if pd.isna(v) else f"{_signed(v)}\n{int(k)}" for v, k in zip(r, q, strict=True)]
            for r, q in zip(wide.to_numpy(), sizes.to_numpy(), strict=True)
        ],
        index=names,
        columns=names,
    )
    hidden = (
        table.pivot(index=provider, columns=customer, values="suppressed")
        .reindex(index=names, columns=names)
        .fillna(False)
        .astype(bool)
    )
    cell = min(0.4, (PAGE_WIDTH - 2.9) / max(len(names), 1))
    ax = _ax(ax, (cell * len(names) + 2.6, cell * len(names) + 1.7))
    sns.heatmap(
        wide,
        ax=ax,
        cmap=SCORE_CMAP,
        vmin=-100,
        vmax=100,
        center=0,
        annot=label,
        fmt="",
        annot_kws={"fontsize": 5.5, "linespacing": 1.1},
        linewidths=0.5,
        linecolor="white",
        cbar_kws={"label": "NPS", "shrink": 0.6},
        square=True,
    )
    for i, j in zip(*np.nonzero(hidden.to_numpy()), strict=True):
        ax.add_patch(
            plt.Rectangle((j, i), 1, 1, facecolor="#EEEEEE", hatch="///", edgecolor="#BBBBBB", lw=0)
        )
        ax.text(j + 0.5, i + 0.5, "s", ha="center", va="center", fontsize=7, color=MUTED)
    ax.grid(False)
    ax.set_xlabel("Internal customer (who rates)")
    ax.set_ylabel("Function rated")
    ax.tick_params(axis="x", labelrotation=90, labelsize=8)
    ax.tick_params(axis="y", labelrotation=0, labelsize=8)
    return ax


def gap_360(
    table: pd.DataFrame, *, label: str = "provider_function", ax: Axes | None = None
) -> Axes:
    """Each function's own prediction (hollow) against the NPS it receives (dot and interval),
    ranked by the score received, best first.

    ``table`` is :func:`kit.nps_tables.gap_360`; suppressed functions are left out.
    """
    t = _ranked(table[~table["suppressed"]], "nps")
    ax = _ax(ax, (PAGE_WIDTH, 0.26 * len(t) + 0.9))
    y = np.arange(len(t))
    ax.hlines(y, t["ci_low"], t["ci_high"], color=MUTED, lw=1.2)
    ax.hlines(y, t["predicted"], t["nps"], color=BRAND["accent"], lw=0.8, linestyles="dotted")
    ax.scatter(t["nps"], y, color=BRAND["primary"], zorder=3, label="Received (95% interval)")
    ax.scatter(
        t["predicted"],
        y,
        facecolors="white",
        edgecolors=BRAND["primary"],
        zorder=3,
        label="Predicted",
    )
    ax.set_yticks(y, t[label].astype(str))
    ax.set_ylim(len(t) - 0.5, -0.5)
    ax.axvline(0, color="#999", lw=0.8, gid=REFERENCE)
    ax.set_xlim(-100, 100)
    ax.set_xlabel("NPS")
    ax.legend(ncol=2, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=8)
    ax.grid(axis="y", visible=False)
    return ax


def response_rates(
    table: pd.DataFrame, *, label: str = "respondent_function", ax: Axes | None = None
) -> Axes:
    """Share of each function's people invited (or, where not known, of its headcount) that
    answered, highest first; withheld functions last, said so.
    ``table`` is :func:`kit.nps_tables.response_rates`."""
    t = _ranked(table.assign(_rate=table["rate"].fillna(-1)), "_rate")
    bases = t["base"] if "base" in t else pd.Series("headcount", index=t.index)
    ax = _ax(ax, (PAGE_WIDTH, 0.22 * len(t) + 0.7))
    y = np.arange(len(t))
    ax.barh(y, t["rate"].fillna(0), color=BRAND["primary"], alpha=0.85, height=0.6)
    for i, row in t.iterrows():
        text = (
            "fewer than the anonymity threshold"
            if row["suppressed"]
            else f"{int(row['respondents'])} answered; headcount not known"
            if bases[i] == "unknown"
            else f"{row['rate']:.0f}% ({int(row['respondents'])} of "
            + (
                f"{int(row['invited'])} invited)"
                if bases[i] == "invited"
                else f"{int(row['headcount'])} staff)"
            )
        )
        ax.annotate(
            text,
            (0 if row["suppressed"] or pd.isna(row["rate"]) else row["rate"], i),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=MUTED if row["suppressed"] else "black",
        )
    ax.set_yticks(y, t[label].astype(str))
    ax.set_ylim(len(t) - 0.5, -0.5)
    ax.set_xlim(0, max(100, float(t["rate"].max(skipna=True) or 0) * 1.1))
    kinds = set(bases) - {"unknown"}
    ax.set_xlabel(
        "Respondents as % of "
        + (
            "those invited"
            if kinds == {"invited"}
            else "headcount"
            if kinds == {"headcount"}
            else "those invited (or headcount)"
        )
    )
    ax.grid(axis="y", visible=False)
    return ax


def driver_importance(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Each driver's share of the variation the drivers explain (LMG), with its bootstrap
    interval, largest first; the share is printed past the interval's end.
    ``table`` is :func:`kit.drivers.importance`."""
    t = table.sort_values("share", ascending=False, kind="stable").reset_index(drop=True)
    ax = _ax(ax, (PAGE_WIDTH, 0.36 * len(t) + 0.9))
    y = np.arange(len(t))
    value = 100 * t["share"].to_numpy(float)
    low, high = 100 * t["share_low"].to_numpy(float), 100 * t["share_high"].to_numpy(float)
    ax.barh(
        y,
        value,
        xerr=np.vstack([value - low, high - value]),
        color=BRAND["primary"],
        alpha=0.85,
        height=0.6,
        ecolor="#333",
        capsize=3,
    )
    for i, (v, hi) in enumerate(zip(value, high, strict=True)):
        ax.annotate(
            f"{v:.0f}%",
            (max(v, hi), i),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, t["label"].astype(str))
    ax.set_ylim(len(t) - 0.5, -0.5)
    ax.set_xlim(0, max(float(np.nanmax(high)) * 1.15, 10))
    ax.set_xlabel("Share of the variation the drivers explain (%)")
    ax.grid(axis="y", visible=False)
    return ax


def driver_map(table: pd.DataFrame, levels: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Importance against performance: each driver's share of the explained variation
    (across) and its mean rating (up). Lower right: what goes with the score and is rated
    low, where attention pays most. ``table`` is :func:`kit.drivers.importance`, ``levels``
    :func:`kit.drivers.levels`."""
    t = table.merge(levels[["driver", "mean"]], on="driver")
    ax = _ax(ax, (PAGE_WIDTH, 2.9))
    x, y = 100 * t["share"].to_numpy(float), t["mean"].to_numpy(float)
    ax.scatter(x, y, s=60, color=BRAND["primary"], zorder=3)
    ax.axvline(100 / len(t), color=MUTED, lw=0.8, ls="--", gid=REFERENCE)
    ax.axhline(float(np.mean(y)), color=MUTED, lw=0.8, ls="--", gid=REFERENCE)
    ax.set_xlabel("Share of the variation the drivers explain (%)")
    ax.set_ylabel("Mean rating (1-5)")
    pad = max(0.3, float(np.ptp(y)) * 0.3)
    ax.set_ylim(max(1, y.min() - pad), min(5, y.max() + pad))
    ax.set_xlim(0, max(100 / len(t) * 2, float(x.max()) * 1.25))
    corner = ax.annotate(
        "goes with the score,\nrated low",
        (0.98, 0.04),
        xycoords="axes fraction",
        ha="right",
        fontsize=8,
        color=BRAND["accent"],
    )
    taken = [corner.get_window_extent(_renderer(ax.figure))]
    marks = _marks(ax)
    for xi, yi, label in zip(x, y, t["label"], strict=True):
        _place(ax, str(label), _around((xi, yi)), taken, marks, fontsize=8)
    return ax


def theme_counts(table: pd.DataFrame, *, top: int = 10, ax: Axes | None = None) -> Axes:
    """Stacked bars: how often each theme comes up, from detractors, passives and promoters.

    ``table`` is :func:`kit.themes.theme_counts` (one row per theme and category).
    """
    wide = table.pivot_table(
        index="label",
        columns="category",
        values="count",
        aggfunc="sum",
        fill_value=0,
        observed=True,
    )
    wide = wide.reindex(columns=list(CATEGORY_COLOURS), fill_value=0)
    wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False, kind="stable").index[:top]]
    ax = _ax(ax, (PAGE_WIDTH, 0.26 * len(wide) + 0.9))
    left = np.zeros(len(wide))
    y = np.arange(len(wide))
    for cat, colour in CATEGORY_COLOURS.items():
        ax.barh(y, wide[cat], left=left, color=colour, label=cat.capitalize() + "s", height=0.6)
        left += wide[cat].to_numpy()
    ax.set_yticks(y, [textwrap.shorten(str(s), 40) for s in wide.index])
    ax.set_ylim(len(wide) - 0.5, -0.5)
    ax.set_xlabel("Comments")
    ax.legend(ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=8)
    ax.grid(axis="y", visible=False)
    return ax


def network(
    graph,
    *,
    nps: pd.Series | None = None,
    highlight: str | None = None,
    seed: int = 2026,
    ax: Axes | None = None,
) -> Axes:
    """The internal network: functions as nodes (coloured by NPS received when given, on the
    blue-orange score scale; grey when not shown), edges by relationship weight. Each name
    goes beside its node where it covers no other name or node. ``graph`` is
    :func:`kit.network.build`."""
    import networkx as nx

    ax = _ax(ax, (PAGE_WIDTH, 4.8))
    u = graph.to_undirected()
    pos = nx.spring_layout(u, weight="weight", seed=seed, k=2 / np.sqrt(max(len(u), 1)))
    weights = np.array([w for _, _, w in u.edges(data="weight")] or [1.0])
    edges = nx.draw_networkx_edges(
        u, pos, ax=ax, width=0.5 + 3.5 * weights / weights.max(), edge_color="#CCCCCC"
    )
    if edges is not None and hasattr(edges, "set_gid"):
        edges.set_gid(REFERENCE)  # names may cross an edge, never a node
    values = [nps.get(n, np.nan) if nps is not None else np.nan for n in u]
    colours = [MUTED if pd.isna(v) else SCORE_CMAP((v + 100) / 200) for v in values]
    sizes = [700 if n == highlight else 450 for n in u]
    nx.draw_networkx_nodes(
        u, pos, ax=ax, node_color=colours, node_size=sizes, edgecolors="#333", linewidths=0.8
    )
    if nps is not None:
        sm = plt.cm.ScalarMappable(cmap=SCORE_CMAP, norm=plt.Normalize(-100, 100))
        ax.figure.colorbar(sm, ax=ax, shrink=0.6, label="NPS received (grey: not shown)")
    ax.set_axis_off()
    ax.margins(0.14)
    ax.figure.canvas.draw()  # the axes' final place, before measuring names against it
    taken: list[Bbox] = []
    marks = _marks(ax)
    for n, (x, y) in sorted(pos.items(), key=lambda item: -item[1][1]):
        _place(
            ax,
            textwrap.fill(str(n), 14, break_long_words=False),
            _around((x, y), gap=11),
            taken,
            marks,
            fontsize=8,
            fontweight="bold" if n == highlight else "normal",
        )
    return ax


def collision_matrix(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Heatmap of how often two functions contact the same external stakeholder within days
    of each other, on a one-hue scale. ``table`` is :func:`kit.touchpoints.collision_matrix`
    (tidy pairs)."""
    names = sorted(set(table["function_a"]) | set(table["function_b"]))
    wide = pd.DataFrame(0, index=names, columns=names, dtype=float)
    for a, b, n in table[["function_a", "function_b", "collisions"]].itertuples(index=False):
        wide.loc[a, b] = wide.loc[b, a] = n
    mask = np.triu(np.ones_like(wide, dtype=bool))
    ax = _ax(ax, (0.6 * len(names) + 2.4, 0.45 * len(names) + 1.5))
    sns.heatmap(
        wide,
        mask=mask,
        ax=ax,
        cmap=COUNT_CMAP,
        annot=True,
        fmt=",.0f",
        annot_kws={"fontsize": 8},
        linewidths=0.5,
        cbar_kws={"label": "Collisions", "shrink": 0.6},
    )
    ax.grid(False)
    ax.tick_params(axis="x", labelrotation=90, labelsize=8)
    ax.tick_params(axis="y", labelrotation=0, labelsize=8)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return ax
