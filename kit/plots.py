"""Charts in one client-ready style. Each function takes tidy data and ``ax=None`` and returns
the matplotlib ``Axes`` it drew on.

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

__all__ = [
    "BRAND",
    "CATEGORY_COLOURS",
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
    "theme_counts",
    "network",
    "collision_matrix",
]

CATEGORY_COLOURS = {"detractor": "#C0392B", "passive": "#B3B6B7", "promoter": "#1E8449"}
MUTED = "#7F8C8D"
#: The engagement's brand colours, set by :func:`setup` (or :func:`use_brand`): the charts'
#: main colour and their highlights, as in the pack's style sheet.
BRAND = {"primary": "#1B4F72", "accent": "#C0392B"}


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

        set_matplotlib_formats("svg" if vector else "png")
    except ImportError:  # outside IPython
        pass


def _ax(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def score_distribution(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Bars of the 0-10 answers, coloured detractor / passive / promoter, with the share on top.

    ``table`` is :func:`kit.findings.internal_nps.distribution`: ``score``, ``n``, ``category``.
    """
    ax = _ax(ax, (7.5, 3.2))
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
    ax.set_xticks(range(11))
    ax.set_xlabel("Likelihood to recommend (0 = not at all, 10 = extremely likely)")
    ax.set_ylabel("Responses")
    ax.grid(axis="x", visible=False)
    return ax


def category_split(table: pd.DataFrame, *, label: str, ax: Axes | None = None) -> Axes:
    """Stacked 100% bars of detractors / passives / promoters per group (suppressed omitted).

    ``table`` is the output of :func:`kit.nps.summary` with a ``by`` column named ``label``.
    """
    shown = table[~table["suppressed"]]
    ax = _ax(ax, (7.5, 0.35 * len(shown) + 1.2))
    left = np.zeros(len(shown))
    y = np.arange(len(shown))
    for cat, col in (
        ("detractor", "pct_detractors"),
        ("passive", "pct_passives"),
        ("promoter", "pct_promoters"),
    ):
        values = shown[col].to_numpy(dtype=float)
        ax.barh(y, values, left=left, color=CATEGORY_COLOURS[cat], label=cat.capitalize() + "s")
        left += values
    ax.set_yticks(y, shown[label].astype(str))
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of responses (%)")
    ax.legend(ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
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
    drawn as dashed lines.
    """
    ax = _ax(ax, (7.5, 3.2))
    shown = trend[~trend["suppressed"]].reset_index(drop=True)
    x = np.arange(len(shown))
    nps = shown["nps"].to_numpy(float)
    err = np.vstack([nps - shown["ci_low"].to_numpy(float), shown["ci_high"].to_numpy(float) - nps])
    ax.errorbar(x, nps, yerr=err, fmt="o-", color=BRAND["primary"], ecolor=MUTED, capsize=4, lw=2)
    for xi, (v, n) in enumerate(zip(nps, shown["n"], strict=True)):
        ax.annotate(
            f"{v:+.0f}\n(n={int(n)})",
            (xi, v),
            xytext=(8, 0),
            textcoords="offset points",
            fontsize=8,
            va="center",
        )
    if changes is not None and len(shown) > 1:
        pos = {w: i for i, w in enumerate(shown[wave])}
        for _, c in changes.iterrows():
            if c.get("wave_from") in pos and c.get("wave_to") in pos and pd.notna(c["difference"]):
                i = (pos[c["wave_from"]] + pos[c["wave_to"]]) / 2
                verdict = c.get("verdict") or ("significant" if c["significant"] else "")
                text = f"{c['difference']:+.0f} " + (verdict or "not significant")
                ax.annotate(
                    text,
                    (i, 95),
                    ha="center",
                    fontsize=8,
                    color=BRAND["accent"] if c["significant"] else MUTED,
                    fontweight="bold" if c["significant"] else "normal",
                )
    if weightings is not None and len(weightings):
        at = weightings.set_index("wave").reindex(shown[wave])
        for column, label, style in (
            ("equal_weight", "each function counted equally", "--"),
            ("by_headcount", "functions weighed by headcount", ":"),
        ):
            ax.plot(x, at[column].to_numpy(float), style, color=MUTED, lw=1.5, label=label)
        ax.plot([], [], "o-", color=BRAND["primary"], label="every rating counted once")
        ax.legend(loc="lower left", fontsize=7, frameon=False)
    ax.axhline(0, color="#999", lw=0.8)
    ax.set_xticks(x, shown[wave].astype(str))
    ax.set_ylim(-100, 105)
    ax.set_ylabel("NPS")
    ax.set_xlim(-0.5, len(shown) - 0.3)
    return ax


def nps_bars(
    table: pd.DataFrame, *, label: str, highlight: str | None = None, ax: Axes | None = None
) -> Axes:
    """Horizontal NPS per group with its interval; suppressed groups shown as such, not scored."""
    t = table.reset_index(drop=True)
    ax = _ax(ax, (7.5, 0.38 * len(t) + 1.0))
    y = np.arange(len(t))
    for i, row in t.iterrows():
        if row["suppressed"]:
            ax.annotate(
                "not shown (anonymity rule)",
                (0, i),
                ha="center",
                va="center",
                fontsize=8,
                color=MUTED,
                style="italic",
            )
            continue
        colour = (
            BRAND["accent"]
            if highlight is not None and row[label] == highlight
            else BRAND["primary"]
        )
        ax.barh(i, row["nps"], color=colour, alpha=0.85, height=0.6)
        ax.plot([row["ci_low"], row["ci_high"]], [i, i], color="#333", lw=1)
        ax.plot([row["ci_low"], row["ci_low"]], [i - 0.15, i + 0.15], color="#333", lw=1)
        ax.plot([row["ci_high"], row["ci_high"]], [i - 0.15, i + 0.15], color="#333", lw=1)
        ax.annotate(
            f"{row['nps']:+.0f} (n={int(row['n'])})",
            (max(row["ci_high"], 0), i),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, t[label].astype(str))
    ax.invert_yaxis()
    ax.axvline(0, color="#999", lw=0.8)
    ax.set_xlim(-100, 115)
    ax.set_xlabel("NPS with its 95% interval")
    ax.grid(axis="y", visible=False)
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

    Labels never overlap: names are stacked inside their cell (at most ``per_cell``, then
    "+n more"). Stakeholders of the ``highlight`` function are in bold.
    """
    ax = _ax(ax, (8.5, 7.5))
    lo = high - 0.5
    ax.axvspan(lo, 5.5, ymin=(lo - 0.5) / 5, ymax=1, color="#FADBD8", alpha=0.6, lw=0)
    ax.axvspan(lo, 5.5, ymin=0, ymax=(lo - 0.5) / 5, color="#FCF3CF", alpha=0.6, lw=0)
    ax.axvspan(0.5, lo, ymin=(lo - 0.5) / 5, ymax=1, color="#D6EAF8", alpha=0.6, lw=0)
    corners = {
        "Manage closely": (5.45, 5.45),
        "Keep satisfied": (5.45, 0.55),
        "Keep informed": (0.55, 5.45),
        "Monitor": (0.55, 0.55),
    }
    for name, (x, y) in corners.items():
        ax.annotate(
            name.upper(),
            (x, y),
            ha="right" if x > 3 else "left",
            va="top" if y > 3 else "bottom",
            fontsize=8,
            color=MUTED,
            fontweight="bold",
        )
    cells = placed.sort_values([influence, interest, label]).groupby([influence, interest])
    for (inf, intr), group in cells:
        names = group[label].astype(str).tolist()
        bold = (group[function] == highlight).tolist() if highlight else [False] * len(names)
        if len(names) > per_cell:
            names, bold = names[: per_cell - 1] + [f"+{len(names) - per_cell + 1} more"], bold
        top = intr + 0.40
        for k, (text, b) in enumerate(zip(names, bold, strict=False)):
            ax.annotate(
                textwrap.shorten(text, 22),
                (inf - 0.45, top - k * 0.115),
                fontsize=6.3,
                va="top",
                fontweight="bold" if b else "normal",
                color="#1B2631" if b else "#34495E",
            )
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    for v in np.arange(1.5, 5.5):
        ax.axvline(v, color="white", lw=1.5)
        ax.axhline(v, color="white", lw=1.5)
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
    """Annotated heatmap of the NPS each provider (row) receives from each customer (column).

    ``table`` is :func:`kit.nps_tables.matrix`. Suppressed cells are hatched and marked "s";
    blank cells had no ratings.
    """
    names = sorted(set(table[provider]) | set(table[customer]))
    wide = table.pivot(index=provider, columns=customer, values="nps").reindex(
        index=names, columns=names
    )
    hidden = (
        table.pivot(index=provider, columns=customer, values="suppressed")
        .reindex(index=names, columns=names)
        .fillna(False)
        .astype(bool)
    )
    ax = _ax(ax, (0.55 * len(names) + 2.6, 0.45 * len(names) + 1.6))
    sns.heatmap(
        wide,
        ax=ax,
        cmap=sns.diverging_palette(10, 145, s=70, l=50, as_cmap=True),
        vmin=-100,
        vmax=100,
        center=0,
        annot=wide.map(lambda v: "" if pd.isna(v) else f"{v:+.0f}"),
        fmt="",
        annot_kws={"fontsize": 7},
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
    ax.tick_params(axis="y", labelsize=8)
    return ax


def gap_360(
    table: pd.DataFrame, *, label: str = "provider_function", ax: Axes | None = None
) -> Axes:
    """Each function's own prediction (hollow) against the NPS it receives (dot and interval).

    ``table`` is :func:`kit.nps_tables.gap_360`; suppressed functions are left out.
    """
    t = table[~table["suppressed"]].reset_index(drop=True)
    ax = _ax(ax, (7.5, 0.4 * len(t) + 1.2))
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
    ax.invert_yaxis()
    ax.axvline(0, color="#999", lw=0.8)
    ax.set_xlim(-100, 100)
    ax.set_xlabel("NPS")
    ax.legend(ncol=2, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    ax.grid(axis="y", visible=False)
    return ax


def response_rates(
    table: pd.DataFrame, *, label: str = "respondent_function", ax: Axes | None = None
) -> Axes:
    """Share of each function's people invited (or, where not known, of its headcount) that
    answered; suppressed functions marked. ``table`` is :func:`kit.nps_tables.response_rates`."""
    t = table.reset_index(drop=True)
    bases = t["base"] if "base" in t else pd.Series("headcount", index=t.index)
    ax = _ax(ax, (7.5, 0.35 * len(t) + 1.0))
    y = np.arange(len(t))
    ax.barh(y, t["rate"].fillna(0), color=BRAND["primary"], alpha=0.85, height=0.6)
    for i, row in t.iterrows():
        text = (
            "fewer than the anonymity threshold"
            if row["suppressed"]
            else f"{row['rate']:.0f}% ({int(row['respondents'])} of "
            + (
                f"{int(row['invited'])} invited)"
                if bases[i] == "invited"
                else f"{int(row['headcount'])} staff)"
            )
        )
        ax.annotate(
            text,
            (0 if row["suppressed"] else row["rate"], i),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=MUTED if row["suppressed"] else "black",
        )
    ax.set_yticks(y, t[label].astype(str))
    ax.invert_yaxis()
    ax.set_xlim(0, max(100, float(t["rate"].max(skipna=True) or 0) * 1.1))
    kinds = set(bases)
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
    interval. ``table`` is :func:`kit.drivers.importance`."""
    t = table.reset_index(drop=True)
    ax = _ax(ax, (7.5, 0.45 * len(t) + 1.2))
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
            f"{v:.0f}%", (hi, i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8
        )
    ax.set_yticks(y, t["label"].astype(str))
    ax.invert_yaxis()
    ax.set_xlabel("Share of the variation the drivers explain (%)")
    ax.grid(axis="y", visible=False)
    return ax


def driver_map(table: pd.DataFrame, levels: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Importance against performance: each driver's share of the explained variation
    (across) and its mean rating (up). Lower right: what goes with the score and is rated
    low, where attention pays most. ``table`` is :func:`kit.drivers.importance`, ``levels``
    :func:`kit.drivers.levels`."""
    t = table.merge(levels[["driver", "mean"]], on="driver")
    ax = _ax(ax, (7.5, 3.6))
    x, y = 100 * t["share"].to_numpy(float), t["mean"].to_numpy(float)
    ax.scatter(x, y, s=60, color=BRAND["primary"], zorder=3)
    for xi, yi, label in zip(x, y, t["label"], strict=True):
        ax.annotate(label, (xi, yi), xytext=(6, 4), textcoords="offset points", fontsize=8)
    ax.axvline(100 / len(t), color=MUTED, lw=0.8, ls="--")
    ax.axhline(float(np.mean(y)), color=MUTED, lw=0.8, ls="--")
    ax.annotate(
        "goes with the score,\nrated low",
        (0.98, 0.04),
        xycoords="axes fraction",
        ha="right",
        fontsize=8,
        color=BRAND["accent"],
    )
    ax.set_xlabel("Share of the variation the drivers explain (%)")
    ax.set_ylabel("Mean rating (1-5)")
    pad = max(0.3, float(np.ptp(y)) * 0.3)
    ax.set_ylim(max(1, y.min() - pad), min(5, y.max() + pad))
    ax.set_xlim(0, max(100 / len(t) * 2, float(x.max()) * 1.25))
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
    wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False).index[:top]]
    ax = _ax(ax, (7.5, 0.38 * len(wide) + 1.2))
    left = np.zeros(len(wide))
    y = np.arange(len(wide))
    for cat, colour in CATEGORY_COLOURS.items():
        ax.barh(y, wide[cat], left=left, color=colour, label=cat.capitalize() + "s", height=0.6)
        left += wide[cat].to_numpy()
    ax.set_yticks(y, [textwrap.shorten(str(s), 40) for s in wide.index])
    ax.invert_yaxis()
    ax.set_xlabel("Comments")
    ax.legend(ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
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
    """The internal network: functions as nodes (coloured by NPS received when given), edges
    by relationship weight. ``graph`` is :func:`kit.network.build`."""
    import networkx as nx

    ax = _ax(ax, (8.0, 6.5))
    u = graph.to_undirected()
    pos = nx.spring_layout(u, weight="weight", seed=seed, k=2 / np.sqrt(max(len(u), 1)))
    weights = np.array([w for _, _, w in u.edges(data="weight")] or [1.0])
    nx.draw_networkx_edges(
        u, pos, ax=ax, width=0.5 + 3.5 * weights / weights.max(), edge_color="#BBBBBB"
    )
    cmap = sns.diverging_palette(10, 145, s=70, l=50, as_cmap=True)
    values = [nps.get(n, np.nan) if nps is not None else np.nan for n in u]
    colours = [MUTED if pd.isna(v) else cmap((v + 100) / 200) for v in values]
    sizes = [900 if n == highlight else 600 for n in u]
    nx.draw_networkx_nodes(
        u, pos, ax=ax, node_color=colours, node_size=sizes, edgecolors="#333", linewidths=0.8
    )
    for n, (x, y) in pos.items():
        ax.annotate(
            textwrap.fill(str(n), 14, break_long_words=False),
            (x, y),
            xytext=(0, -17),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=8,
            fontweight="bold" if n == highlight else "normal",
        )
    if nps is not None:
        sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(-100, 100))
        ax.figure.colorbar(sm, ax=ax, shrink=0.6, label="NPS received (grey: not shown)")
    ax.set_axis_off()
    ax.margins(0.12)
    return ax


def collision_matrix(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Heatmap of how often two functions contact the same external stakeholder within days
    of each other. ``table`` is :func:`kit.touchpoints.collision_matrix` (tidy pairs)."""
    names = sorted(set(table["function_a"]) | set(table["function_b"]))
    wide = pd.DataFrame(0, index=names, columns=names, dtype=float)
    for a, b, n in table[["function_a", "function_b", "collisions"]].itertuples(index=False):
        wide.loc[a, b] = wide.loc[b, a] = n
    mask = np.triu(np.ones_like(wide, dtype=bool))
    ax = _ax(ax, (0.8 * len(names) + 2.5, 0.6 * len(names) + 1.5))
    sns.heatmap(
        wide,
        mask=mask,
        ax=ax,
        cmap="Reds",
        annot=True,
        fmt=",.0f",
        annot_kws={"fontsize": 8},
        linewidths=0.5,
        cbar_kws={"label": "Collisions", "shrink": 0.6},
    )
    ax.grid(False)
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    ax.tick_params(axis="y", labelrotation=0, labelsize=8)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return ax
