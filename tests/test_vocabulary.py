"""The vocabulary a second source needs (laws, orders, nationality, payments, reported speech, denials,
groups in custody, inferred statements), and the links every institution and legal act needs: each is
used on a copy of the fixture world, which must stay valid, and each rule is broken once on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from actorgraph.validate import validate

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"

PREFIXES = """
@prefix ag:   <https://w3id.org/actorgraph/ont#> .
@prefix agid: <https://w3id.org/actorgraph/id/> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix time: <http://www.w3.org/2006/time#> .
"""

# Every quote is a span of tests/fixtures/world/sources/world-report.txt that occurs there once, with at
# least three words (validate's rule for a quote that points at one sentence).
EVIDENCE = "ag:source agid:doc-world-report ; ag:assertedBy agid:world-reporting ; ag:status ag:Reported"

ENTITIES = """
agid:harbor-gang-members a ag:Group ; rdfs:label "Harbor Gang members" .
agid:prisoner-act a ag:Law ; rdfs:label "Prisoner Transfer Act" .
agid:transfer-order a ag:CourtOrder ; rdfs:label "Order to stop the transfer" .
agid:fee a ag:Payment ; rdfs:label "Fee for housing prisoners" .
"""
FIGURE = """
agid:fig-fee a ag:Figure ; rdfs:label "Fee of about 5,000" ;
    ag:value 5000 ; ag:unit "US dollars" ; ag:measures ag:PaymentAmount ; ag:approximation ag:About .
"""


def claim(name: str, s: str, p: str, o: str, quote: str, extra: str = "", evidence: str = EVIDENCE) -> str:
    """A direct triple and its statement node, as Turtle."""
    return (
        f"agid:{s} ag:{p} agid:{o} .\n"
        f"agid:{name} a ag:Statement ; rdf:subject agid:{s} ; rdf:predicate ag:{p} ; rdf:object agid:{o} ;\n"
        f'    ag:quote "{quote}" ; {evidence}{" ; " + extra if extra else ""} .\n'
    )


CLAIMS = {
    "held": claim(
        "st-members-held", "harbor-gang-members", "heldIn", "freedonian-prisons", "The prisons hold 5,000 people"
    ),
    "deported": claim("st-members-deported", "harbor-gang-members", "deportedTo", "sylvania", "arrested in Sylvania"),
    "national": claim(
        "st-members-national", "harbor-gang-members", "nationalOf", "freedonia", "heads the Freedonian government"
    ),
    "invoked": claim(
        "st-invoked", "freedonian-government", "invoked", "prisoner-act", "negotiated with the Freedonian government"
    ),
    "issued": claim("st-issued", "prosecutors", "issued", "transfer-order", "according to prosecutors"),
    "blocked": claim("st-blocked", "transfer-order", "blocked", "offer-house-prisoners", "offered to house prisoners"),
    "paid": claim("st-paid", "fee", "paidBy", "sylvania", "house prisoners from Sylvania"),
    "described": FIGURE + claim("st-fig-fee", "fig-fee", "describes", "fee", "house prisoners from Sylvania"),
    "said": claim(
        "st-said",
        "freedonian-government",
        "saidAbout",
        "freedonian-prisons",
        "The government says they hold 4,200.",
        'ag:content "they hold 4,200"',
    ),
    "inferred": claim(
        "st-government-of",
        "freedonian-government",
        "governmentOf",
        "freedonia",
        "released by the Freedonian government",
        'ag:inferred true ; ag:inferenceBasis "“Freedonian” government: the government of Freedonia."',
    ),
    "denied": claim(
        "st-members-not-national",
        "harbor-gang-members",
        "nationalOf",
        "freedonia",
        "heads the Freedonian government",
        'ag:denies agid:st-members-national ; ag:scope "some of them" ; ag:scopeCount 2',
        evidence="ag:source agid:doc-world-report ; ag:assertedBy agid:bo-lind ; ag:status ag:Denied",
    ),
}


def write(world: Path, *claims: str, entities: str = ENTITIES) -> Path:
    (world / "second.ttl").write_text(PREFIXES + entities + "\n".join(claims), encoding="utf-8")
    return world


def problems(world: Path) -> list[tuple[str, str, str]]:
    return [(v.focus, v.path, v.message) for v in validate(world, ONTOLOGY).violations]


def test_the_new_vocabulary_validates(world_copy):
    report = validate(write(world_copy, *CLAIMS.values()), ONTOLOGY)
    assert report.violations == []
    assert report.statements == 9 + len(CLAIMS)


@pytest.mark.parametrize("relationship", ["heldIn", "deportedTo", "transferredTo", "arrestedIn", "nationalOf"])
def test_a_group_like_a_person_can_be_held_moved_and_have_a_nationality(world_copy, relationship):
    target = "freedonia" if relationship == "nationalOf" else "sylvania"
    as_group = claim("st-x", "harbor-gang-members", relationship, target, "arrested in Sylvania")
    assert problems(write(world_copy, as_group)) == []
    as_gang = claim("st-x", "harbor-gang", relationship, target, "arrested in Sylvania")
    [(focus, path, message)] = problems(write(world_copy, as_gang))
    assert (focus, path) == ("agid:st-x", "rdf:subject")
    assert message.startswith(f"ag:{relationship} needs a ag:PersonOrGroup as its subject")


def test_an_inferred_statement_needs_its_basis(world_copy):
    broken = CLAIMS["inferred"].replace(
        ' ; ag:inferenceBasis "“Freedonian” government: the government of Freedonia."', ""
    )
    assert problems(write(world_copy, broken)) == [
        (
            "agid:st-government-of",
            "",
            "an inferred statement (ag:inferred true) needs ag:inferenceBasis: what in the source implies it",
        )
    ]


def test_reported_speech_needs_what_was_said(world_copy):
    broken = CLAIMS["said"].replace(' ; ag:content "they hold 4,200"', "")
    assert problems(write(world_copy, broken)) == [
        ("agid:st-said", "", "an ag:saidAbout statement needs ag:content: what was said, in the source's words")
    ]


def test_a_denial_has_the_denied_status_and_its_count_its_words(world_copy):
    broken = (
        CLAIMS["denied"]
        .replace("ag:status ag:Denied", "ag:status ag:Claimed")
        .replace(' ag:scope "some of them" ;', "")
    )
    assert problems(write(world_copy, CLAIMS["national"], broken)) == [
        (
            "agid:st-members-not-national",
            "ag:scope",
            "ag:scopeCount needs ag:scope: the source's words for that part of the group",
        ),
        ("agid:st-members-not-national", "ag:status", "a statement that ag:denies another has the status ag:Denied"),
    ]


def test_a_denial_points_at_a_statement(world_copy):
    broken = CLAIMS["denied"].replace("ag:denies agid:st-members-national", "ag:denies agid:freedonia")
    assert problems(write(world_copy, broken)) == [
        (
            "agid:st-members-not-national",
            "ag:denies",
            "ag:denies must point at the statement that is denied (an ag:Statement)",
        )
    ]


# -- the links every institution and legal act needs --------------------------------------------------


def test_missing_countries_and_issuers_are_warnings_not_violations(world_copy, invoke):
    report = validate(world_copy, ONTOLOGY)
    assert report.conforms
    assert [(w.focus, w.path) for w in report.warnings] == [
        ("agid:freedonian-government", "ag:governmentOf"),
        ("agid:prosecutors", "ag:governmentOf"),
        ("agid:freedonian-prisons", "ag:locatedIn"),
    ]
    assert {w.check for w in report.warnings} == {"link"}
    result = invoke("validate", graph=world_copy)
    assert result.exit_code == 0
    assert result.stdout.startswith("valid: ")
    assert result.stderr.splitlines()[0] == (
        "warning: agid:freedonian-government  ag:governmentOf  a government body, court or prosecutor needs its "
        f"country: ag:governmentOf a country, with its statement  ({world_copy / 'actors.ttl'}:9)"
    )


def test_a_link_to_a_country_or_an_issuer_ends_the_warning(world_copy):
    order_without_issuer = write(world_copy, CLAIMS["blocked"])
    assert ("agid:transfer-order", "^ag:issued") in [
        (w.focus, w.path) for w in validate(order_without_issuer, ONTOLOGY).warnings
    ]
    linked = write(world_copy, CLAIMS["blocked"], CLAIMS["issued"], CLAIMS["inferred"])
    assert [w.focus for w in validate(linked, ONTOLOGY).warnings] == ["agid:prosecutors", "agid:freedonian-prisons"]


def test_a_country_link_must_reach_a_country(world_copy):
    wrong = claim("st-gov-of", "freedonian-government", "governmentOf", "sylvania", "the Freedonian government")
    report = validate(write(world_copy, wrong.replace("agid:sylvania", "agid:freedonian-prisons")), ONTOLOGY)
    assert "agid:freedonian-government" in [w.focus for w in report.warnings]


def test_the_shipped_graph_links_every_institution_to_its_country_and_every_indictment_to_its_issuer(kg):
    report = validate(ONTOLOGY.parent / "graph", ONTOLOGY)
    assert report.warnings == []
    # The links the first article implies rather than states are marked so, each with its basis.
    rows = kg.rows("""
        SELECT ?s ?p ?o ?basis WHERE {
          ?st ag:inferred true ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
              ag:source agid:doc-el-salvador-offers-to-jail-us-deportees .
          OPTIONAL { ?st ag:inferenceBasis ?basis }
        }""")
    inferred = {(r["s"].rsplit("/", 1)[1], r["p"].rsplit("#", 1)[1], r["o"].rsplit("/", 1)[1]) for r in rows}
    assert {
        ("cecot", "locatedIn", "el-salvador"),
        ("fiscalia-general", "governmentOf", "el-salvador"),
        ("us-prosecutors", "issued", "ms13-federal-indictments"),
    } <= inferred
    assert all(r.get("basis") for r in rows)
    assert kg.ask("""
        ASK { ?st rdf:subject agid:us-justice-department ; rdf:predicate ag:issued ;
                  rdf:object agid:doj-pursuit-ranfla .
              FILTER NOT EXISTS { ?st ag:inferred true } }""")
