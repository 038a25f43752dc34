"""The roster of consenting respondents, from an export's name and e-mail columns.

Only people who consented are listed, once each under a stable contact id (a hash of their
e-mail address); a non-consenting respondent's name and e-mail go nowhere.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from kit.importers.mapping import loose_label
from kit.importers.problems import Problem
from kit.importers.read import Export

__all__ = ["contact_ids", "consenting_contacts", "roster_of"]


def contact_ids(emails: pd.Series) -> pd.Series:
    """A stable contact id from an e-mail address: 'c-' and 10 hex digits of the SHA-256 of
    the address in lower case (the address itself is never in the id)."""
    return emails.map(
        lambda e: (
            "c-" + hashlib.sha256(e.strip().lower().encode()).hexdigest()[:10] if e.strip() else ""
        )
    )


def consenting_contacts(
    export: Export, base: dict, consent: pd.Series, kept: pd.Series, log: dict
) -> tuple[pd.Series | None, pd.DataFrame | None]:
    """Each row's contact id (consenting rows only), and with ``contact_name`` or
    ``contact_email`` mapped the consenting people for the roster (file row, contact id, name,
    e-mail, function). A non-consenting respondent's name and e-mail go nowhere."""
    if base["ok_to_contact"] is None:
        return None, None
    name, email = base["contact_name"], base["contact_email"]
    if name is None and email is None:
        ids = base["contact_id"]
        return (ids.where(consent) if ids is not None else None), None
    name = name.fillna("").astype(str).str.strip() if name is not None else None
    email = email.fillna("").astype(str).str.strip() if email is not None else None
    if base["contact_id"] is not None:
        ids = base["contact_id"].fillna("").astype(str).str.strip()
    else:
        ids = contact_ids(email)
    named = ids.ne("") & (name.ne("") if name is not None else True)
    listed = consent & kept & named
    log["roster"] = {
        "people": 0,
        "consenting without a name or id (not contacted)": int((consent & kept & ~named).sum()),
    }
    people = pd.DataFrame(
        {
            "line": [int(i) for i in listed[listed].index],
            "contact_id": ids[listed].values,
            "name": name[listed].values if name is not None else ids[listed].values,
            "email": email[listed].values if email is not None else "",
            "function": base["respondent_function"][listed].values,
        }
    )
    return ids.where(listed), people


def roster_of(people: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem], int]:
    """One roster row per contact id (the latest function where a person gave several); a
    contact id with two names, or two e-mail addresses, is a problem naming the rows."""
    problems = []
    for cid, group in people.groupby("contact_id", sort=False):
        for column, what in (("name", "names"), ("email", "e-mail addresses")):
            values = group[column].fillna("").astype(str)
            firsts = values[values.ne("")].groupby(values.map(loose_label)).head(1)
            if len(firsts) > 1:
                where = "; ".join(
                    f"{r.file}, row {r.line}: {r[column]!r}"
                    for _, r in group.loc[firsts.index].iterrows()
                )
                problems.append(
                    Problem(
                        int(group["line"].iloc[0]),
                        column,
                        str(cid),
                        f"two {what} for one person",
                        f"contact {cid!r} has {len(firsts)} {what} ({where}): correct them "
                        "in a copy of the export so each person has one",
                        file=str(group["file"].iloc[0]),
                    )
                )
    moved = int((people.groupby("contact_id")["function"].nunique() > 1).sum())
    first = people.drop_duplicates("contact_id", keep="first").set_index("contact_id")
    latest = people.drop_duplicates("contact_id", keep="last").set_index("contact_id")
    roster = pd.DataFrame(
        {
            "contact_id": first.index,
            "name": first["name"].values,
            "email": first["email"].replace("", None).values,
            "function": latest.loc[first.index, "function"].values,
        }
    )
    return roster, problems, moved
