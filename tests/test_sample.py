"""The sample client generator: deterministic, consistent, and the planted effects hold.

Statistics here are computed inline with plain pandas, independently of the kit's own modules:
NPS = % promoters (9-10) - % detractors (0-6); the adjusted-Wald interval adds 0.75 detractors,
1.5 passives and 0.75 promoters (n + 3) and se = sqrt((p + d - (p - d)^2) / n_adj) * 100.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from kit.config import SAMPLE_DIR
from kit.sample import NEGATIVE, POSITIVE, TABLES, WAVES, generate, write

PREVIOUS, CURRENT = WAVES[-2], WAVES[-1]
LEGAL = "Legal & Compliance"
REACHED = ("contacted", "action agreed", "closed")


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    return generate()


# -- helpers --------------------------------------------------------------------------------


def nps(scores: pd.Series) -> float:
    return 100 * ((scores >= 9).mean() - (scores <= 6).mean())


def adjusted_wald(scores: pd.Series) -> tuple[float, float]:
    """(NPS, standard error) on the -100..100 scale, adjusted-Wald."""
    n_adj = len(scores) + 3
    p = ((scores >= 9).sum() + 0.75) / n_adj
    d = ((scores <= 6).sum() + 0.75) / n_adj
    return 100 * (p - d), math.sqrt((p + d - (p - d) ** 2) / n_adj) * 100


def z_test(a: pd.Series, b: pd.Series) -> tuple[float, float]:
    """(z, two-sided p) for the change in NPS from ``a`` to ``b``."""
    (n1, se1), (n2, se2) = adjusted_wald(a), adjusted_wald(b)
    z = (n2 - n1) / math.sqrt(se1**2 + se2**2)
    return z, math.erfc(abs(z) / math.sqrt(2))


def provider_scores(r: pd.DataFrame, provider: str, wave: str) -> pd.Series:
    return r.loc[(r["provider_function"] == provider) & (r["wave"] == wave), "score"]


def followup_pairs(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Detractors of a provider in wave k with their score for it in wave k+1."""
    r, f = t["responses"], t["followups"]
    reached = f.loc[f["first_contact_at"].ne("") & f["status"].isin(REACHED), "response_id"]
    pairs = []
    for before, after in zip(WAVES[:-1], WAVES[1:], strict=True):
        low = r[(r["wave"] == before) & (r["score"] <= 6)]
        nxt = r[r["wave"] == after]
        m = low.merge(nxt, on=["respondent_id", "provider_function"], suffixes=("", "_next"))
        pairs.append(m.assign(change=m["score_next"] - m["score"]))
    out = pd.concat(pairs, ignore_index=True)
    return out.assign(followed=out["response_id"].isin(reached))


# -- determinism and files ------------------------------------------------------------------


def test_generate_is_deterministic(t):
    again = generate()
    assert list(again) == list(TABLES)
    for name in TABLES:
        pd.testing.assert_frame_equal(t[name], again[name])
    other = generate(seed=7)["responses"]
    assert not other["score"].equals(t["responses"]["score"])


def test_write_is_byte_identical_and_leaves_other_files(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    (a / "engagement.yaml").write_text("client: Keep me\n")
    (a / "README.md").write_text("# Keep me too\n")
    write(a)
    write(a)
    write(b)
    assert (a / "engagement.yaml").read_text() == "client: Keep me\n"
    assert (a / "README.md").read_text() == "# Keep me too\n"
    assert sorted(p.name for p in a.iterdir()) == sorted(
        [f"{n}.csv" for n in TABLES] + ["README.md", "engagement.yaml"]
    )  # no temporary folder left behind
    for name in TABLES:
        assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes()


def test_shipped_sample_is_current(tmp_path: Path):
    write(tmp_path)
    for name in TABLES:
        shipped = (SAMPLE_DIR / f"{name}.csv").read_bytes()
        assert shipped == (tmp_path / f"{name}.csv").read_bytes(), f"regenerate {name}.csv"


def test_csv_formats(tmp_path: Path):
    write(tmp_path)
    raw = {n: pd.read_csv(tmp_path / f"{n}.csv", dtype=str, keep_default_na=False) for n in TABLES}
    r = raw["responses"]
    assert r["ok_to_contact"].isin(["true", "false"]).all()
    assert r["submitted_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()
    assert r["score"].str.fullmatch(r"\d|10").all()
    for col in [c for c in r.columns if c.startswith("driver_")]:
        assert r[col].str.fullmatch(r"[1-5]?").all()
    assert raw["touchpoints"]["date"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    f = raw["followups"]
    for col in ("created", "due", "first_contact_at", "closed_at"):
        assert f[col].str.fullmatch(r"(\d{4}-\d\d-\d\d)?").all()
    s = raw["stakeholders"]
    assert s[["power", "legitimacy", "urgency"]].isin(["true", "false"]).all().all()
    assert raw["roster"]["email"].str.fullmatch(r"[a-z-]+\.[a-z-]+@helixbio\.example").all()


# -- sizes and integrity --------------------------------------------------------------------


def test_sizes(t):
    assert len(t["functions"]) == 12
    assert 75 <= len(t["stakeholders"]) <= 85
    r = t["responses"]
    assert 1400 <= len(r) <= 1650
    assert r.groupby("wave").size().between(430, 570).all()
    assert 300 <= r["respondent_id"].nunique() <= 340
    assert 60 <= len(t["relationships"]) <= 80
    assert 4500 <= len(t["touchpoints"]) <= 5500
    assert 550 <= t["touchpoints"]["external_id"].nunique() <= 650
    assert 0.30 <= r["comment"].ne("").mean() <= 0.50
    assert 0.40 <= r["ok_to_contact"].mean() <= 0.50
    drivers = r[[c for c in r.columns if c.startswith("driver_")]]
    assert drivers.isna().mean().between(0.02, 0.08).all()
    per_person = r.groupby(["wave", "respondent_id"])["provider_function"].nunique()
    assert per_person.between(1, 3).all()


def test_referential_integrity(t):
    fn, s, r = t["functions"], t["stakeholders"], t["responses"]
    names = set(fn["function"])
    ids = set(s["stakeholder_id"])
    assert set(s["function"]) == names
    heads = s.set_index("stakeholder_id").loc[fn["head_id"]]
    assert (heads["function"].to_numpy() == fn["function"].to_numpy()).all()
    assert (heads["reports_to"] == "").all() and (heads["level"] == "Executive").all()
    assert s["stakeholder_id"].head(12).tolist() == fn["head_id"].tolist()  # heads first
    assert set(s["reports_to"]) - {""} <= ids and set(s["relationship_owner"]) <= ids
    by_id = s.set_index("stakeholder_id")
    owner_fn = by_id.loc[s["relationship_owner"], "function"].to_numpy()
    assert (owner_fn == s["function"].to_numpy()).all()
    assert s["name"].is_unique
    rel = t["relationships"]
    assert set(rel["supplier_function"]) | set(rel["customer_function"]) <= names
    assert not rel.duplicated(["supplier_function", "customer_function", "deliverable"]).any()
    assert (rel["supplier_function"] != rel["customer_function"]).all()
    assert set(r["respondent_function"]) <= names and set(r["provider_function"]) <= names
    assert (r["respondent_function"] != r["provider_function"]).all()
    assert r["response_id"].is_unique
    assert r.groupby("respondent_id")["respondent_function"].nunique().eq(1).all()


def test_reports_to_is_a_tree(t):
    boss = t["stakeholders"].set_index("stakeholder_id")["reports_to"].to_dict()
    for start in boss:
        seen, node = set(), start
        while boss[node]:
            assert node not in seen, f"cycle through {start}"
            seen.add(node)
            node = boss[node]


def test_consent_roster_and_followups(t):
    r, roster, f, s = t["responses"], t["roster"], t["followups"], t["stakeholders"]
    assert (r["contact_id"].ne("") == r["ok_to_contact"]).all()
    assert set(r["contact_id"]) - {""} == set(roster["contact_id"])  # everyone who ever consented
    assert roster["name"].is_unique and roster["email"].is_unique
    linked = roster[roster["stakeholder_id"] != ""]
    assert len(linked) > 0
    reg = s.set_index("stakeholder_id").loc[linked["stakeholder_id"]]
    assert (reg["name"].to_numpy() == linked["name"].to_numpy()).all()
    assert (reg["function"].to_numpy() == linked["function"].to_numpy()).all()
    # one person per respondent id; respondent and contact functions agree
    joined = r[r["ok_to_contact"]].merge(roster, on="contact_id")
    assert (joined["respondent_function"] == joined["function"]).all()
    assert joined.groupby("respondent_id")["contact_id"].nunique().eq(1).all()
    # follow-ups: earlier waves, consenting respondents, owner in the rated function
    fr = f.merge(r, on="response_id", how="left", validate="one_to_one")
    assert fr["wave"].isin(WAVES[:-1]).all() and fr["ok_to_contact"].all()
    assert (fr["score"] <= 8).all()
    owner_fn = s.set_index("stakeholder_id").loc[fr["owner"], "function"].to_numpy()
    assert (owner_fn == fr["provider_function"].to_numpy()).all()
    created, due = pd.to_datetime(f["created"]), pd.to_datetime(f["due"])
    assert ((due - created).dt.days == 14).all()
    assert (f["first_contact_at"].ne("") == f["status"].isin(REACHED)).all()
    assert (f["closed_at"].ne("") == f["status"].eq("closed")).all()
    contacted = f[f["first_contact_at"] != ""]
    assert (
        pd.to_datetime(contacted["first_contact_at"]) > pd.to_datetime(contacted["created"])
    ).all()
    closed = f[f["closed_at"] != ""]
    assert (pd.to_datetime(closed["closed_at"]) > pd.to_datetime(closed["first_contact_at"])).all()
    earlier = r[r["wave"].isin(WAVES[:-1]) & r["ok_to_contact"] & (r["score"] <= 6)]
    assert 0.45 <= earlier["response_id"].isin(f["response_id"]).mean() <= 0.65


def test_stakeholder_register_has_every_salience_class_and_gaps(t):
    s = t["stakeholders"]
    classes = s.groupby(["power", "legitimacy", "urgency"]).size()
    assert len(classes) == 8  # the 7 Mitchell classes and "none"
    assert classes.loc[(False, False, False)] >= 3
    order = {
        v: i for i, v in enumerate(["Unaware", "Resistant", "Neutral", "Supportive", "Leading"])
    }
    gap = s["engagement_desired"].map(order) - s["engagement_current"].map(order)
    assert (gap >= 0).mean() > 0.85
    assert ((gap >= 2) & (s["influence"] >= 4)).sum() >= 4


def test_drivers_track_the_score_responsiveness_most(t):
    r = t["responses"]
    corr = {
        d: r[[f"driver_{d}", "score"]].dropna().astype(float).corr().iloc[0, 1]
        for d in ("responsiveness", "quality", "communication", "collaboration")
    }
    assert all(0.4 < c < 0.95 for c in corr.values())
    assert corr["responsiveness"] == max(corr.values())
    assert corr["communication"] == min(corr.values())


def test_comments_match_tone_and_include_personal_data(t):
    r = t["responses"]
    c = r[r["comment"] != ""]
    assert c["comment"].duplicated().mean() < 0.12
    assert c["comment"].str.contains("\n").any() and c["comment"].str.contains('"').any()

    def hits(texts: pd.Series, pool: dict) -> int:
        keys = {s[:24].lower() for v in pool.values() for s in v if not s.startswith("{")}
        return int(texts.str.lower().map(lambda x: any(k in x for k in keys)).sum())

    assert hits(c.loc[c["score"] >= 9, "comment"], NEGATIVE) == 0
    assert hits(c.loc[c["score"] <= 6, "comment"], POSITIVE) == 0
    text = c["comment"]
    assert text.str.contains(r"@helixbio\.example").sum() >= 1
    assert text.str.contains(r"\+44 20 7946 0\d{3}").sum() >= 1
    assert text.str.contains(r"EMP-\d{5}").sum() >= 1
    register = "|".join(map(re.escape, t["stakeholders"]["name"]))
    assert text.str.contains(register).sum() >= 3
    pii = text.str.contains(rf"@|\+44|EMP-|{register}")
    assert 8 <= pii.sum() <= 14


# -- planted effects ------------------------------------------------------------------------


def test_effect1_regulatory_falls_significantly(t):
    r = t["responses"]
    before, now = (
        provider_scores(r, "Regulatory", PREVIOUS),
        provider_scores(r, "Regulatory", CURRENT),
    )
    assert len(before) >= 50 and len(now) >= 50
    assert 5 <= nps(before) <= 30 and -35 <= nps(now) <= -10
    z, p = z_test(before, now)
    assert z < 0 and p < 0.01
    comments = r.loc[
        (r["provider_function"] == "Regulatory") & (r["wave"] == CURRENT) & (r["score"] <= 8),
        "comment",
    ].str.lower()
    themed = comments.str.contains("review|overturned|reversed|decision|approv|sign-off|final")
    assert themed.sum() >= 10


def test_effect1_others_move_by_noise_it_improves(t):
    r = t["responses"]
    for provider in sorted(set(r["provider_function"]) - {"Regulatory", LEGAL}):
        _, p = z_test(provider_scores(r, provider, PREVIOUS), provider_scores(r, provider, CURRENT))
        assert p > 0.05, provider
    it = [nps(provider_scores(r, "IT", w)) for w in WAVES]
    assert it[0] < it[1] < it[2]
    assert 5 <= it[2] - it[1] <= 30


def test_effect2_medical_affairs_marketing_silo(t):
    rel, tp, r = t["relationships"], t["touchpoints"], t["responses"]
    pair = {"Medical Affairs", "Marketing"}
    edges = rel[rel["supplier_function"].isin(pair) & rel["customer_function"].isin(pair)]
    assert edges.empty
    shared = set(tp.loc[tp["function"] == "Medical Affairs", "external_id"]) & set(
        tp.loc[tp["function"] == "Marketing", "external_id"]
    )
    assert len(shared) >= 20
    cells = 0
    for customer, provider in [("Medical Affairs", "Marketing"), ("Marketing", "Medical Affairs")]:
        mutual = r[(r["respondent_function"] == customer) & (r["provider_function"] == provider)]
        assert nps(mutual["score"]) < -30
        for _, cell in mutual.groupby("wave"):
            if len(cell) >= 5:
                cells += 1
                assert nps(cell["score"]) < -30
    assert cells >= 4


def test_effect3_follow_up_moves_scores(t):
    pairs = followup_pairs(t)
    done, not_done = pairs.loc[pairs["followed"], "change"], pairs.loc[~pairs["followed"], "change"]
    assert len(done) >= 40 and len(not_done) >= 40
    assert 2.0 <= done.mean() <= 3.0
    assert -0.2 <= not_done.mean() <= 1.0
    diff = done.mean() - not_done.mean()
    se = math.sqrt(done.var() / len(done) + not_done.var() / len(not_done))
    assert diff - 1.96 * se > 0
    assert done.mean() - 1.96 * done.std() / math.sqrt(len(done)) > 0


def test_effect4_legal_is_too_small_to_report(t):
    r = t["responses"]
    assert 3 <= len(provider_scores(r, LEGAL, CURRENT)) <= 4
    as_customer = r[r["respondent_function"] == LEGAL].groupby("wave").size()
    assert as_customer.reindex(WAVES, fill_value=0).lt(5).all()


def test_effect5_over_contacted_kols(t):
    tp = t["touchpoints"].assign(date=lambda d: pd.to_datetime(d["date"]))
    assert tp["date"].between("2025-07-01", "2026-06-30").all()
    per = tp.groupby("external_id").agg(
        n=("touchpoint_id", "size"), functions=("function", "nunique"), segment=("segment", "first")
    )
    heavy = per[(per["n"] >= 40) & (per["functions"] >= 4)]
    assert 18 <= len(heavy) <= 22 and (heavy["segment"] == "KOL").all()
    typical = per.loc[~per.index.isin(heavy.index), "n"]
    assert typical.between(3, 10).all()
    for function in ("Medical Affairs", "Marketing"):
        mine = tp[tp["function"] == function]
        assert mine["external_id"].isin(heavy.index).mean() > 0.5
    # collisions: touches by different functions within 7 days of each other
    kol = tp[tp["external_id"].isin(heavy.index)]
    pairs = kol.merge(kol, on="external_id")
    close = (pairs["date_x"] - pairs["date_y"]).dt.days.abs().le(7)
    different = pairs["function_x"] < pairs["function_y"]
    per_kol = pairs[close & different].groupby("external_id").size()
    assert len(per_kol) == len(heavy) and per_kol.min() >= 20


def test_effect6_the_360_gap(t):
    r, fn = t["responses"], t["functions"].set_index("function")
    now = r[r["wave"] == CURRENT].groupby("provider_function")["score"].agg(nps)
    reportable = r[r["wave"] == CURRENT].groupby("provider_function").size() >= 5
    gap = (fn["predicted_nps"] - now)[reportable]
    assert (gap > 0).mean() >= 0.7
    assert gap["Regulatory"] >= 30 and gap["IT"] >= 30


@pytest.mark.parametrize("seed", [1, 99])
def test_effects_hold_for_other_seeds(seed):
    other = generate(seed)
    r = other["responses"]
    z, p = z_test(
        provider_scores(r, "Regulatory", PREVIOUS), provider_scores(r, "Regulatory", CURRENT)
    )
    assert z < 0 and p < 0.01
    pairs = followup_pairs(other)
    assert (
        pairs.loc[pairs["followed"], "change"].mean()
        - pairs.loc[~pairs["followed"], "change"].mean()
        > 1.2
    )
    assert 3 <= len(provider_scores(r, LEGAL, CURRENT)) <= 4


# -- scaled clients (kit sample --scale N) --------------------------------------------------

SUFFIX = " Americas"  # the second region's functions at x4


@pytest.fixture(scope="module")
def t4() -> dict[str, pd.DataFrame]:
    return generate(scale=4)


def test_scale_one_is_the_sample(t):
    again = generate(scale=1)
    for name in TABLES:
        pd.testing.assert_frame_equal(t[name], again[name])


@pytest.mark.parametrize("scale", [0, 65, 2.0, True, "4"])
def test_scale_refused_outside_one_to_sixty_four(scale):
    with pytest.raises(ValueError, match="scale must be a whole number from 1 to 64"):
        generate(scale=scale)


def test_scaled_client_sizes_and_functions(t, t4):
    functions = t4["functions"]["function"].tolist()
    base = t["functions"]["function"].tolist()
    assert functions == base + [f + SUFFIX for f in base]  # 24 functions, Regulatory kept
    ratio = {name: len(t4[name]) / len(t[name]) for name in ("responses", "touchpoints")}
    assert 3.6 <= ratio["responses"] <= 4.4 and 3.6 <= ratio["touchpoints"] <= 4.4, ratio
    assert len(t4["stakeholders"]) == 2 * len(t["stakeholders"])  # a register per region
    assert len(t4["relationships"]) == 2 * len(t["relationships"])
    own = t4["functions"].set_index("function")["headcount"]
    assert own["Sales"] == own["Sales" + SUFFIX] == 2 * 240
    assert own[LEGAL] == 9 and own[LEGAL + SUFFIX] == 2 * 9  # small at the headquarters only
    assert list(t4["responses"].columns) == list(t["responses"].columns)


def test_scaled_client_ids_unique_and_references_resolve(t4):
    for table, column in [
        ("stakeholders", "stakeholder_id"),
        ("responses", "response_id"),
        ("roster", "contact_id"),
        ("followups", "followup_id"),
        ("touchpoints", "touchpoint_id"),
    ]:
        assert t4[table][column].is_unique, (table, column)
    people = set(t4["stakeholders"]["stakeholder_id"])
    assert set(t4["functions"]["head_id"]) <= people
    assert set(t4["followups"]["owner"]) <= people
    assert set(t4["stakeholders"]["reports_to"]) - {""} <= people
    assert set(t4["followups"]["response_id"]) <= set(t4["responses"]["response_id"])
    contacts = set(t4["responses"]["contact_id"]) - {""}
    assert contacts == set(t4["roster"]["contact_id"])
    assert t4["roster"]["email"].is_unique
    # a rating stays in its region, but a tenth of a region's go to the headquarters
    r = t4["responses"]
    rater_abroad = r["respondent_function"].str.endswith(SUFFIX)
    rated_abroad = r["provider_function"].str.endswith(SUFFIX)
    assert not (rated_abroad & ~rater_abroad).any()
    crossed = (rater_abroad & ~rated_abroad).sum() / rater_abroad.sum()
    assert 0.07 <= crossed <= 0.13
    assert not (rater_abroad & (r["provider_function"] == LEGAL)).any()
    waves = r["wave"].map(WAVES.index)
    assert waves.is_monotonic_increasing  # ids in wave order


@pytest.mark.parametrize("suffix", ["", SUFFIX])
def test_scaled_client_keeps_the_planted_effects_in_each_region(t4, suffix):
    r, tp = t4["responses"], t4["touchpoints"]
    regulatory = "Regulatory" + suffix
    before = provider_scores(r, regulatory, PREVIOUS)
    now = provider_scores(r, regulatory, CURRENT)
    z, p = z_test(before, now)
    assert z < 0 and p < 0.001 and nps(now) < nps(before) - 20
    if not suffix:  # the headquarters' Legal & Compliance only: too small to show
        assert len(provider_scores(r, LEGAL, CURRENT)) <= 4
    for customer, provider in [("Medical Affairs", "Marketing"), ("Marketing", "Medical Affairs")]:
        mutual = r[
            (r["respondent_function"] == customer + suffix)
            & (r["provider_function"] == provider + suffix)
        ]
        assert len(mutual) >= 20 and nps(mutual["score"]) < -30
    mine = tp[tp["function"].str.endswith(SUFFIX) == bool(suffix)]
    per = mine.groupby("external_id").agg(n=("touchpoint_id", "size"), seg=("segment", "first"))
    kols = per[per["seg"] == "KOL"]
    assert len(kols) == 2 * 20 and kols["n"].min() >= 45  # 2x the KOLs, each over-contacted


def test_scaled_follow_up_still_moves_scores(t4):
    pairs = followup_pairs(t4)
    done, not_done = pairs.loc[pairs["followed"], "change"], pairs.loc[~pairs["followed"], "change"]
    assert len(done) >= 150 and 2.0 <= done.mean() <= 3.0
    assert done.mean() - not_done.mean() > 1.5


def test_scaled_sample_written_is_valid_and_deterministic(tmp_path: Path, t4):
    from kit.cli import main
    from kit.context import open_engagement
    from kit.data import validate

    assert main(["sample", str(tmp_path / "x4"), "--scale", "4"]) == 0
    folder = tmp_path / "x4"
    assert (folder / "engagement.yaml").read_bytes() == (
        SAMPLE_DIR / "engagement.yaml"
    ).read_bytes()
    tables, problems = validate(folder)
    assert [p for p in problems if p.severity == "error"] == []
    assert len(tables["responses"]) == len(t4["responses"])
    # the organisation is shown, and only Legal & Compliance withheld as a rated function
    ctx = open_engagement(folder / "engagement.yaml", audience="client")
    assert not ctx.too_small
    hidden = [
        f for f in tables["functions"]["function"] if ctx.ledger.withheld(ctx.wave, provider=f)
    ]
    assert set(hidden) <= {LEGAL, LEGAL + SUFFIX} and LEGAL in hidden
    again = tmp_path / "again"
    write(again, scale=4)
    for name in TABLES:
        assert (folder / f"{name}.csv").read_bytes() == (again / f"{name}.csv").read_bytes()
