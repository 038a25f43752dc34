import csv

import pandas as pd
import pytest

from kit.cli import main
from kit.config import SAMPLE_DIR
from kit.stakeholders import (
    QUADRANTS,
    engagement_actions,
    engagement_gaps,
    engagement_levels,
    engagement_matrix,
    grid,
    in_scope,
    leadership,
    quadrant_counts,
    salience,
    seniority,
    sipoc,
    suggested_owners,
)


def test_quadrant_rule_on_a_hand_made_register():
    reg = pd.DataFrame(
        {
            "name": ["A", "B", "C", "D", "E", "F"],
            "influence": [4, 5, 3, 1, 4, 3],
            "interest": [4, 3, 4, 1, 3, 3],
        }
    )
    placed = grid(reg)
    assert placed["quadrant"].tolist() == [
        "Manage closely",
        "Keep satisfied",
        "Keep informed",
        "Monitor",
        "Keep satisfied",
        "Monitor",
    ]
    assert "quadrant" not in reg.columns  # input untouched
    # a stricter threshold moves the 4s down
    assert grid(reg, high=5)["quadrant"].tolist()[0] == "Monitor"
    counts = quadrant_counts(placed)
    assert counts["quadrant"].tolist() == list(QUADRANTS)
    assert counts["stakeholders"].tolist() == [1, 2, 1, 2]


def test_engagement_gaps_ranked_by_gap_then_influence():
    reg = pd.DataFrame(
        {
            "name": ["A", "B", "C", "D"],
            "influence": [2, 5, 4, 5],
            "engagement_current": ["Resistant", "Neutral", "Unaware", "Leading"],
            "engagement_desired": ["Supportive", "Supportive", "Neutral", "Leading"],
        }
    )
    gaps = engagement_gaps(reg)
    assert gaps["name"].tolist() == ["C", "A", "B"]
    assert gaps["gap"].tolist() == [2, 2, 1]
    assert gaps["priority"].tolist() == [8, 4, 5]  # influence x gap


def test_engagement_levels_keep_every_row_and_blanks_unknown():
    reg = pd.DataFrame(
        {
            "name": ["A", "B", "C"],
            "influence": [3, 5, 2],
            "engagement_current": ["Supportive", None, "Leading"],
            "engagement_desired": ["Neutral", "Leading", "Leading"],
        }
    )
    levels = engagement_levels(reg)
    assert levels["gap"].tolist()[0] == -1 and levels["priority"].tolist()[0] == -3
    assert pd.isna(levels["gap"].iloc[1]) and levels["gap"].iloc[2] == 0
    assert engagement_gaps(reg).empty


def test_sipoc_of_a_small_chain():
    rel = pd.DataFrame(
        {
            "supplier_function": ["Clinical", "Safety", "Regulatory", "Regulatory"],
            "customer_function": ["Regulatory", "Regulatory", "Marketing", "Sales"],
            "deliverable": ["Study reports", "Safety reports", "Approvals", "Label updates"],
            "frequency": ["Monthly", "Quarterly", "Weekly", "Ad hoc"],
            "criticality": [5, 4, 5, 2],
        }
    )
    s = sipoc(rel, "Regulatory")
    assert s[["role", "partner", "deliverable"]].values.tolist() == [
        ["Supplier", "Clinical", "Study reports"],
        ["Supplier", "Safety", "Safety reports"],
        ["Customer", "Marketing", "Approvals"],
        ["Customer", "Sales", "Label updates"],
    ]
    assert sipoc(rel, "Nobody").empty


def test_in_scope_keeps_own_people_and_partners(ds):
    reg = in_scope(ds.stakeholders, ds.relationships, "Regulatory")
    rel = ds.relationships
    partners = set(rel.loc[rel["supplier_function"] == "Regulatory", "customer_function"]) | set(
        rel.loc[rel["customer_function"] == "Regulatory", "supplier_function"]
    )
    assert set(reg["function"]) <= partners | {"Regulatory"}
    assert "Regulatory" in set(reg["function"])
    assert len(in_scope(ds.stakeholders, rel, None)) == len(ds.stakeholders)


@pytest.mark.parametrize("high", [3, 4, 5])
def test_every_sample_stakeholder_gets_one_quadrant(ds, high):
    placed = grid(ds.stakeholders, high=high)
    assert placed["quadrant"].notna().all()
    assert quadrant_counts(placed)["stakeholders"].sum() == len(ds.stakeholders)


@pytest.mark.parametrize(
    ("p", "l", "u", "cls", "group"),
    [
        (False, False, False, "Non-stakeholder", "None"),
        (True, False, False, "Dormant", "Latent"),
        (False, True, False, "Discretionary", "Latent"),
        (False, False, True, "Demanding", "Latent"),
        (True, True, False, "Dominant", "Expectant"),
        (True, False, True, "Dangerous", "Expectant"),
        (False, True, True, "Dependent", "Expectant"),
        (True, True, True, "Definitive", "Definitive"),
    ],
)
def test_each_salience_class(p, l, u, cls, group):  # noqa: E741 - Mitchell's letters
    reg = pd.DataFrame({"power": [p], "legitimacy": [l], "urgency": [u]})
    got = salience(reg).iloc[0]
    assert (got["salience"], got["salience_group"]) == (cls, group)


def test_salience_blank_is_absent_and_missing_column_named():
    reg = pd.DataFrame(
        {
            "power": pd.array([True, None], dtype="boolean"),
            "legitimacy": [True, True],
            "urgency": [False, False],
        }
    )
    assert salience(reg)["salience"].tolist() == ["Dominant", "Discretionary"]
    with pytest.raises(KeyError, match="urgency"):
        salience(reg.drop(columns="urgency"))


def test_engagement_matrix_marks_current_and_desired():
    reg = pd.DataFrame(
        {
            "name": ["A", "B"],
            "engagement_current": ["Resistant", "Supportive"],
            "engagement_desired": ["Supportive", "Supportive"],
        }
    )
    m = engagement_matrix(reg).set_index("name")
    assert m.loc["A", "Resistant"] == "C" and m.loc["A", "Supportive"] == "D"
    assert m.loc["A", "gap"] == 2 and m.loc["B", "Supportive"] == "C D" and m.loc["B", "gap"] == 0
    assert m.loc["A", "Leading"] == ""


def register(**columns) -> pd.DataFrame:
    """A small register: the defaults below, then the columns given."""
    base = {
        "stakeholder_id": ["H", "D1", "D2", "M", "P"],
        "name": ["Hana", "Dev", "Dora", "Max", "Pia"],
        "role": ["Head of IT", "IT Director", "IT Director", "IT Manager", "Head of HR"],
        "function": ["IT", "IT", "IT", "IT", "HR"],
        "level": ["Executive", "Director", "Director", "Manager", "Executive"],
        "reports_to": [None, "H", "H", "D1", None],
        "influence": [5, 4, 2, 3, 4],
        "engagement_current": ["Unaware", "Neutral", "Resistant", "Unaware", "Leading"],
        "engagement_desired": ["Leading", "Leading", "Supportive", "Neutral", "Leading"],
        "relationship_owner": ["D1", "H", "M", "D1", "H"],
    }
    return pd.DataFrame({**base, **columns})


def test_engagement_actions_rank_by_influence_times_gap():
    acts = engagement_actions(register())
    # Hana 5 x 4 = 20, Dev 4 x 2 = 8, Max 3 x 2 = 6, Dora 2 x 2 = 4; Pia has no gap
    assert acts["name"].tolist() == ["Hana", "Dev", "Max", "Dora"]
    assert acts["priority"].tolist() == [20, 8, 6, 4]
    assert (acts["priority"] == acts["influence"] * acts["gap"]).all()
    assert acts.loc[0, "action"].startswith("Brief Hana on the survey results that concern IT")
    # the top 2, and Dora kept as the function's leadership although fourth
    kept = engagement_actions(register(), top=2, keep=["D2"])
    assert kept["name"].tolist() == ["Hana", "Dev", "Dora"]
    assert kept["leadership"].tolist() == [False, False, True]
    # ties: the larger gap, then the higher influence, then the name
    tied = register(influence=[2, 4, 2, 4, 4], engagement_current=["Neutral"] * 5)
    tied["engagement_desired"] = ["Leading", "Supportive", "Leading", "Supportive", "Supportive"]
    assert engagement_actions(tied)["name"].tolist() == ["Dora", "Hana", "Dev", "Max", "Pia"]


def test_seniority_from_the_level_else_the_reporting_line():
    ranks = seniority(register(level=["executive ", "Director", None, "Team lead", None]))
    # Dora has no level: one below Hana; Max's "Team lead" is unknown: one below Dev;
    # Pia has neither a level nor a manager
    assert ranks[["H", "D1", "D2", "M"]].tolist() == [0, 1, 1, 2] and pd.isna(ranks["P"])


def test_owners_are_never_junior_to_the_person_engaged():
    owners = suggested_owners(register()).set_index("stakeholder_id")
    # Hana (head) is owned by her director: no one above her, so the engaged peer Pia
    assert owners.loc["H", ["owner", "owner_basis"]].tolist() == ["Pia", "engaged peer"]
    assert owners.loc["D1", ["owner", "owner_basis"]].tolist() == ["Hana", "relationship owner"]
    # Dora (director) is owned by Max (manager): the next one up Max's line, Dev, a director
    # like her
    assert owners.loc["D2", ["owner", "owner_basis"]].tolist() == [
        "Dev",
        "relationship owner's line",
    ]
    assert owners.loc["M", ["owner", "owner_role"]].tolist() == ["Dev", "IT Director"]
    # no engaged peer for a head: no owner rather than a junior one
    alone = register(engagement_current=["Unaware", "Neutral", "Resistant", "Unaware", "Neutral"])
    assert pd.isna(suggested_owners(alone).set_index("stakeholder_id").loc["H", "owner"])
    # an owner without a known level counts as senior only above the person in their line
    blind = register(
        level=[None, None, None, None, None], relationship_owner=["D1", "M", "H", "D1", "H"]
    )
    owners = suggested_owners(blind).set_index("stakeholder_id")
    assert owners.loc["D1", ["owner", "owner_basis"]].tolist() == [
        "Hana",
        "relationship owner's line",
    ]
    assert owners.loc["D2", "owner"] == "Hana"


def test_a_peer_from_a_partner_function_is_preferred():
    reg = register(
        stakeholder_id=["H", "D1", "D2", "Q", "P"],
        name=["Hana", "Dev", "Dora", "Quinn", "Pia"],
        function=["IT", "IT", "IT", "Finance", "HR"],
        level=["Executive", "Director", "Director", "Executive", "Executive"],
        reports_to=[None, "H", "H", None, None],
        engagement_current=["Unaware", "Neutral", "Resistant", "Supportive", "Leading"],
    )
    rel = pd.DataFrame({"supplier_function": ["Finance", "IT"], "customer_function": ["IT", "HR"]})
    rel = pd.concat([rel, rel.head(1)])  # Finance and IT exchange 2 deliverables, HR and IT 1
    owners = suggested_owners(reg, relationships=rel).set_index("stakeholder_id")
    assert owners.loc["H", "owner"] == "Quinn"
    # without relationships: the most engaged peer (Pia leads)
    assert suggested_owners(reg).set_index("stakeholder_id").loc["H", "owner"] == "Pia"


def sample_levels() -> dict[str, int]:
    """Seniority read straight from the sample's CSV, in the order of its README."""
    order = {"Executive": 0, "Director": 1, "Manager": 2, "Individual contributor": 3}
    with open(SAMPLE_DIR / "stakeholders.csv", encoding="utf-8") as f:
        return {r["stakeholder_id"]: order[r["level"]] for r in csv.DictReader(f)}


@pytest.mark.parametrize("scope", [None, "Regulatory", "Marketing", "Sales", "Legal & Compliance"])
def test_no_sample_owner_is_junior_in_any_scope(ds, scope):
    level = sample_levels()
    reg = in_scope(ds.stakeholders, ds.relationships, scope)
    acts = engagement_actions(reg, people=ds.stakeholders, relationships=ds.relationships)
    assert len(acts) and acts["owner_id"].notna().all()
    assert (acts["owner_id"] != acts["stakeholder_id"]).all()
    for sid, owner in zip(acts["stakeholder_id"], acts["owner_id"], strict=True):
        assert level[owner] <= level[sid], (sid, owner)


def test_every_function_scope_of_the_sample_gets_senior_owners(ds):
    level = sample_levels()
    for function in ds.functions["function"]:
        reg = in_scope(ds.stakeholders, ds.relationships, function)
        acts = engagement_actions(reg, people=ds.stakeholders, relationships=ds.relationships)
        junior = acts[acts["owner_id"].map(level) > acts["stakeholder_id"].map(level)]
        assert junior.empty, (function, junior[["name", "owner"]].values.tolist())


def test_sample_heads_were_owned_by_their_own_directors(ds):
    # what the register says (README): a head's relationship owner is one of their
    # directors; the kit suggests a peer head instead
    reg = ds.stakeholders.set_index("stakeholder_id")
    assert reg.loc["S005", "relationship_owner"] == "S043"
    owners = suggested_owners(ds.stakeholders, relationships=ds.relationships)
    layla = owners.set_index("stakeholder_id").loc["S005"]
    assert layla["owner_basis"] == "engaged peer" and layla["owner_id"] in reg.index[:12]
    assert reg.loc[layla["owner_id"], "engagement_current"] in {"Supportive", "Leading"}


def test_leadership_is_the_head_and_anyone_at_the_heads_level(ds):
    assert leadership(ds.stakeholders, ds.functions, "Regulatory")["name"].tolist() == [
        "Layla Silva"
    ]
    two = ds.stakeholders.copy()
    two.loc[two["stakeholder_id"] == "S043", "level"] = "Executive"
    assert leadership(two, ds.functions, "Regulatory")["stakeholder_id"].tolist() == [
        "S005",
        "S043",
    ]
    headless = ds.functions.assign(head_id=None)
    assert leadership(ds.stakeholders, headless, "Regulatory")["stakeholder_id"].tolist() == [
        "S005"
    ]
    assert leadership(ds.stakeholders, ds.functions, "Nobody").empty


def test_validate_lists_every_register_contradiction(sample_copy, tmp_path, capsys):
    path = sample_copy / "stakeholders.csv"
    reg = pd.read_csv(path, dtype=str, keep_default_na=False)
    edits = {
        "S045": {"engagement_current": "Leading", "engagement_desired": "Neutral"},  # row 46
        "S054": {"power": "true", "influence": "1"},  # row 55
        "S022": {"power": "false", "influence": "5"},  # row 23, already so in the sample
        "S070": {"level": "Vice President"},  # row 71
    }
    for sid, values in edits.items():
        for column, value in values.items():
            reg.loc[reg["stakeholder_id"] == sid, column] = value
    reg.to_csv(path, index=False)
    out = tmp_path / "problems.csv"
    code = main(["validate", str(sample_copy / "engagement.yaml"), "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, "warnings only"
    saved = pd.read_csv(out, dtype={"row": "Int64"})
    mine = saved[saved["file"] == "stakeholders.csv"]
    assert (mine["severity"] == "warning").all()
    said = {
        (int(r), c): (v, m) for r, c, v, m in mine[["row", "column", "value", "message"]].values
    }
    value, message = said[(46, "engagement_desired")]
    assert value == "Neutral" and message.startswith(
        "S045 Arjun Owusu: the desired engagement (Neutral) is below the current one (Leading)"
    )
    value, message = said[(55, "power")]
    assert value == "true" and message.startswith("S054 Daniel Fernández: has power")
    assert "influence 1, the lowest" in message
    value, message = said[(23, "power")]
    assert value == "false" and "S022 Lena Fujita: has no power" in message
    value, message = said[(71, "level")]
    assert value == "Vice President" and "S070 Chloé Costa: is not one of Executive" in message
    # the sample's own: 5 desired levels below the current one, Paul Novák's power (row 29)
    below = mine[mine["column"] == "engagement_desired"]["row"].tolist()
    assert sorted(below) == [9, 18, 33, 36, 46, 77]
    assert sorted(mine.loc[mine["column"] == "power", "row"]) == [23, 29, 55]
    assert "S028 Paul Novák" in printed and "10 warning(s)" in printed
