"""The question commands on the shipped graph: the answers a researcher of the first source expects."""

from __future__ import annotations

import json

import pytest

from conftest import GRAPH


@pytest.fixture
def ask(invoke):
    def run(*args):
        result = invoke(*args, "--format", "json", graph=GRAPH)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return run


def test_who_negotiated_names_crook_the_six_and_the_officials(ask):
    rows = ask("who-negotiated")["rows"]
    gang = {r["actor"]: r for r in rows if r["side"] == "gang"}
    government = {r["actor"]: r for r in rows if r["side"] == "government"}
    assert gang["Élmer Canales Rivera"]["aliases"] == ["Crook"]
    assert {"Vampiro", "Renuente", "Cisco", "Big Boy", "Cruger", "Snayder"} <= set(gang)
    for alias in ("Vampiro", "Renuente", "Cisco", "Big Boy", "Cruger", "Snayder", "Élmer Canales Rivera"):
        # Named by U.S. prosecutors: an allegation, with the sentence that names them.
        named = [e for e in gang[alias]["evidence"] if e["asserted by"] == "U.S. prosecutors"]
        assert named and all(e["status"] == "alleged" for e in named), alias
        assert all("prosecutors named" in e["quote"] for e in named), alias
    assert {"Osiris Luna Meza", "Bukele official who took Crook out of jail",
            "Bukele administration officials named by the Justice Department",
            "Government of El Salvador"} <= set(government)
    luna = government["Osiris Luna Meza"]["evidence"]
    assert any("his role in the MS-13 leadership’s negotiations" in e["quote"] for e in luna)
    assert "Nayib Bukele" not in government  # the article ties his government, not him, to the talks


def test_show_osiris_luna_meza(ask):
    profile = ask("show", "Osiris Luna Meza")
    assert profile["title"] == "Osiris Luna Meza"
    assert profile["aliases"] == ["Luna", "Osiris Luna"]
    assert "director of Penal Centers" in profile["roles"]
    outgoing = {(r["relationship"], r["to"]) for r in profile["outgoing"]}
    assert {("directs", "Directorate General of Penal Centers"), ("sanctioned under", "Engel List"),
            ("sanctioned under", "Magnitsky Act")} <= outgoing
    assert all(r["quote"] and r["asserted by"] and r["status"] for r in profile["outgoing"] + profile["incoming"])


def test_sanctions_name_programme_authority_date_and_reason(ask):
    rows = ask("sanctions", "Luna")["rows"]
    assert [(r["programme"], r["authority"], r["date"]) for r in rows] == [
        ("Magnitsky Act", "U.S. Department of the Treasury", "2021 (year, inferred)"),
        ("Engel List", "U.S. Department of State", "2021-07 (month)"),
    ]
    assert rows[1]["reason"].startswith("for his involvement in diverting food")
    assert rows[0]["date_basis"]


def test_figures_show_both_sides_of_each_disagreement(ask):
    data = ask("figures")
    notes = " ".join(data["notes"])
    assert "109,000" in notes and "113,000" in notes
    assert "80,000" in notes and "83,000" in notes


def test_timeline_of_crook_is_in_order_with_precision(ask):
    rows = ask("timeline", "--actor", "Crook")["rows"]
    dates = [r["date_value"] for r in rows]
    assert dates == sorted(dates, key=lambda d: (d[:4], d))
    assert ("2023-11", "month", False) in [(r["date_value"], r["precision"], r["inferred"]) for r in rows]


def test_claims_by_rubio_keep_agreed_and_offered_apart(ask):
    rows = ask("claims", "--by", "Marco Rubio")["rows"]
    statuses = {r["status"] for r in rows}
    assert {"agreed", "offered", "not agreed"} <= statuses
    offers = [r for r in rows if "Offer to jail dangerous U.S. criminals" in r["claim"]]
    assert offers and "agreed" not in {r["status"] for r in offers}


def test_between_bukele_and_crook_has_evidence_on_every_row(ask):
    rows = ask("between", "Nayib Bukele", "Élmer Canales Rivera")["rows"]
    assert rows and all(r["quote"] for r in rows)
    assert any(r["kind"] == "relationship" and "requested" in r["link"] for r in rows)
