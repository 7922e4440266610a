"""The ten competency questions of the first source, each a SPARQL query over the shipped graph.

Every expected answer is read from the article (graph/sources/el-salvador-offers-to-jail-us-deportees.txt),
not from the graph: if the data drifts from the text, these fail. Each query keeps to the statements of
that article (``?doc``, bound by ``first_source_rows``), so another source in the graph changes none of
these answers.
"""

from __future__ import annotations

import pytest

from conftest import first_source_rows

STATE = "U.S. Department of State"
TREASURY = "U.S. Department of the Treasury"
ARTICLE = "the article's own reporting"
PROSECUTORS = "U.S. prosecutors"


def english(kg, query: str) -> list[dict]:
    return kg.rows(query)


# 1. Who directs El Salvador's prisons? Which sanctions name him, issued by which authority, when, and why?


def test_q1_prison_director_and_his_sanctions(kg):
    directors = first_source_rows(kg, """
        SELECT ?name WHERE {
          #@values
          ?st rdf:subject ?d ; rdf:predicate ag:directs ; rdf:object agid:salvadoran-prison-system ; ag:source ?doc .
          ?d rdfs:label ?name }""")
    assert directors == [{"name": "Osiris Luna Meza"}]

    rows = first_source_rows(kg, """
        SELECT ?programme ?authority ?date ?precision ?inferred ?reason ?status WHERE {
          #@values
          ?d ag:directs agid:salvadoran-prison-system .
          ?listing a ag:SanctionListing ; rdf:subject ?d ; rdf:predicate ag:sanctionedUnder ; rdf:object ?p ;
                   ag:source ?doc ;
                   ag:issuedBy ?a ; ag:reason ?reason ; ag:status/skos:prefLabel ?status ;
                   ag:pointInTime [ ag:dateValue ?date ; ag:precision ?precision ; ag:inferred ?inferred ] .
          ?p rdfs:label ?programme . ?a rdfs:label ?authority .
        } ORDER BY ?programme""")
    month, year = "http://www.w3.org/2006/time#unitMonth", "http://www.w3.org/2006/time#unitYear"
    assert rows == [
        {
            "programme": "Engel List",
            "authority": STATE,
            "date": "2021-07",
            "precision": month,
            "inferred": False,
            "reason": "for his involvement in diverting food purchased to deliver to the population during the "
            "Covid-19 emergency",
            "status": "reported",
        },
        {
            "programme": "Magnitsky Act",
            "authority": TREASURY,
            "date": "2021",
            "precision": year,
            "inferred": True,
            "reason": "for his role in the MS-13 leadership’s negotiations with the Bukele administration",
            "status": "reported",
        },
    ]


# 2. Which gang members are named as taking part in negotiations with Bukele's government, and who named them?


def test_q2_gang_members_named_as_negotiators(kg):
    rows = first_source_rows(kg, """
        SELECT ?member ?named_by ?status ?role WHERE {
          #@values
          ?st rdf:subject ?m ; rdf:predicate ag:participatedIn ; rdf:object ?n ; ag:source ?doc ;
              ag:assertedBy/rdfs:label ?named_by ; ag:status/skos:prefLabel ?status ; ag:role ?role .
          ?n a ag:Negotiation .
          ?m a ag:Person ; ag:memberOf|ag:leaderOf agid:ms-13 ; rdfs:label ?member .
        } ORDER BY ?member""")
    assert [r["member"] for r in rows] == [
        "Big Boy",
        "Cisco",
        "Cruger",
        "Renuente",
        "Snayder",
        "Vampiro",
        "Élmer Canales Rivera",
    ]
    assert {(r["named_by"], r["status"]) for r in rows} == {(PROSECUTORS, "alleged")}
    assert {r["role"] for r in rows} == {
        "MS-13 negotiator, named by prosecutors for direct participation in the negotiations"
    }


def test_q2_both_sides_of_the_negotiation_are_queryable(kg):
    """What `who-negotiated` needs: everyone tied to the negotiation event, with role, asserter and status."""
    rows = first_source_rows(kg, """
        SELECT DISTINCT ?who ?by ?status WHERE {
          #@values
          ?st rdf:subject ?w ; rdf:predicate ag:participatedIn ; rdf:object agid:negotiation-government-ms13 ;
              ag:source ?doc ;
              ag:role ?role ; ag:assertedBy/rdfs:label ?by ; ag:status/skos:prefLabel ?status ; ag:quote ?q .
          ?w rdfs:label ?who . FILTER(LANG(?who) = "")
        } ORDER BY ?who""")
    assert [(r["who"], r["by"], r["status"]) for r in rows] == [
        ("Big Boy", PROSECUTORS, "alleged"),
        ("Bukele administration officials named by the Justice Department", "U.S. Department of Justice", "alleged"),
        ("Bukele official who took Crook out of jail", "El Faro", "reported"),
        ("Cisco", PROSECUTORS, "alleged"),
        ("Cruger", PROSECUTORS, "alleged"),
        ("Government of El Salvador", "U.S. Department of Justice", "alleged"),
        ("MS-13 leaders held in the United States", ARTICLE, "reported"),
        ("Osiris Luna Meza", TREASURY, "alleged"),
        ("Ranfla Nacional", ARTICLE, "reported"),
        ("Renuente", PROSECUTORS, "alleged"),
        ("Snayder", PROSECUTORS, "alleged"),
        ("Vampiro", PROSECUTORS, "alleged"),
        ("Élmer Canales Rivera", PROSECUTORS, "alleged"),
    ]


def test_q2_who_negotiated_sorts_everyone_into_a_side(kg):
    ours = {r["st"] for r in first_source_rows(kg, "SELECT ?st WHERE {\n#@values\n ?st ag:source ?doc }")}
    rows = [r for r in kg.named("who-negotiated") if r["statement"] in ours]
    sides = sorted({(r["side"], r["actor_label"]) for r in rows})
    assert sides == [
        ("gang", "Big Boy"),
        ("gang", "Cisco"),
        ("gang", "Cruger"),
        ("gang", "MS-13 leaders held in the United States"),
        ("gang", "Ranfla Nacional"),
        ("gang", "Renuente"),
        ("gang", "Snayder"),
        ("gang", "Vampiro"),
        ("gang", "Élmer Canales Rivera"),
        ("government", "Bukele administration officials named by the Justice Department"),
        ("government", "Bukele official who took Crook out of jail"),
        ("government", "Government of El Salvador"),
        ("government", "Osiris Luna Meza"),
    ]
    # One row per statement and counterpart: no row is repeated for unrelated entities.
    assert len(rows) == len({(r["statement"], r["counterpart"], r["negotiation"]) for r in rows}) == 31


# 3. Who is Élmer Canales Rivera, and what happened to him, in order and with dates?


def test_q3_who_is_elmer_canales_rivera(kg):
    who = first_source_rows(kg, """
        SELECT ?alias ?rel ?org WHERE {
          #@values
          agid:elmer-canales-rivera skos:altLabel ?alias ; ?p ?o .
          ?st rdf:subject agid:elmer-canales-rivera ; rdf:predicate ?p ; rdf:object ?o ; ag:source ?doc .
          VALUES ?p { ag:leaderOf ag:memberOf } ?p rdfs:label ?rel . ?o rdfs:label ?org .
        } ORDER BY ?rel""")
    assert who == [
        {"alias": "Crook", "rel": "leader of", "org": "MS-13"},
        {"alias": "Crook", "rel": "member of", "org": "Ranfla Nacional"},
    ]
    sentence = first_source_rows(kg, """
        SELECT ?value ?unit WHERE {
          #@values
          ?st rdf:subject ?f ; rdf:object agid:elmer-canales-rivera ; ag:source ?doc .
          ?f ag:describes agid:elmer-canales-rivera ; ag:measures ag:PrisonSentence ;
             ag:value ?value ; ag:unit ?unit }""")
    assert sentence == [{"value": 40, "unit": "years"}]


def test_q3_what_happened_to_him_in_order(kg):
    rows = first_source_rows(kg, """
        SELECT ?date ?inferred ?event ?relationship ?other ?by WHERE {
          #@values
          { ?st rdf:subject agid:elmer-canales-rivera ; rdf:object ?o ; ag:inEvent ?e }
          UNION
          { ?st rdf:subject ?o ; rdf:predicate ag:requested ; rdf:object agid:elmer-canales-rivera ; ag:inEvent ?e }
          ?st rdf:predicate ?p ; ag:assertedBy/rdfs:label ?by ; ag:source ?doc ;
              (ag:pointInTime|ag:startTime) [ ag:dateValue ?date ; ag:inferred ?inferred ] .
          ?e rdfs:label ?event . ?p rdfs:label ?relationship . ?o rdfs:label ?other . FILTER(LANG(?other) = "")
        } ORDER BY ?date ?event ?relationship ?other""")
    timeline = [(r["date"], r["inferred"], r["event"], r["relationship"], r["other"], r["by"]) for r in rows]
    release, guatemala = "Secret release of Élmer Canales Rivera", "Transfer of Élmer Canales Rivera to Guatemala"
    arrest = "Arrest of Élmer Canales Rivera in Mexico"
    to_us = "Transfer of Élmer Canales Rivera from Mexico to the United States"
    request = "Bukele's request for the MS-13 leaders held in the United States"
    official = "Bukele official who took Crook out of jail"
    assert timeline == [
        ("2021", True, release, "released by", official, "El Faro"),
        ("2021", True, release, "released by", "Government of El Salvador", ARTICLE),
        ("2021", True, guatemala, "transferred by", official, "El Faro"),
        ("2021", True, guatemala, "transferred to", "Guatemala", "El Faro"),
        ("2023-11", False, arrest, "arrested in", "Mexico", ARTICLE),
        ("2023-11", True, to_us, "transferred by", "Mexico", ARTICLE),
        ("2023-11", True, to_us, "transferred to", "United States", ARTICLE),
        ("2025-02", True, request, "requested", "Nayib Bukele", "Milena Mayorga"),
    ]


# 4. What did Bukele offer the United States? What was agreed, what was not, and who says so?


def test_q4_offer_agreement_and_who_says_so(kg):
    rows = first_source_rows(kg, """
        SELECT DISTINCT ?kind ?arrangement ?claim ?status ?by WHERE {
          #@values
          VALUES ?arr { agid:offer-jail-us-criminals agid:immigration-agreement-2025 }
          ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; ag:status/skos:prefLabel ?status ; ag:source ?doc ;
              ag:assertedBy/rdfs:label ?by .
          VALUES ?p { ag:offered ag:offeredTo ag:agreedTo ag:partyTo }
          FILTER(?s = ?arr || ?o = ?arr)
          ?arr a/rdfs:label ?kind ; rdfs:label ?arrangement .
          ?s rdfs:label ?sl . ?p rdfs:label ?pl . ?o rdfs:label ?ol .
          FILTER(LANG(?sl) = "" && LANG(?ol) = "" && LANG(?kind) = "en")
          BIND(CONCAT(?sl, " ", ?pl, " ", ?ol) AS ?claim)
        } ORDER BY ?kind ?claim ?status ?by""")
    agreement = "Immigration agreement between El Salvador and the United States (2025)"
    offer = "Offer to jail dangerous U.S. criminals, including U.S. nationals and legal residents"
    assert [(r["kind"], r["claim"], r["status"], r["by"]) for r in rows] == [
        ("agreement", f"El Salvador offered {agreement}", "reported", ARTICLE),
        ("agreement", f"El Salvador party to {agreement}", "agreed", "Marco Rubio"),
        ("agreement", f"Government of El Salvador offered {agreement}", "reported", ARTICLE),
        ("agreement", f"Nayib Bukele agreed to {agreement}", "agreed", "Marco Rubio"),
        ("agreement", f"United States party to {agreement}", "agreed", "Marco Rubio"),
        ("offer", f"Nayib Bukele offered {offer}", "offered", "Marco Rubio"),
        ("offer", f"{offer} offered to United States", "not agreed", "Marco Rubio"),
        ("offer", f"{offer} offered to United States", "not agreed", ARTICLE),
        ("offer", f"{offer} offered to United States", "offered", "Marco Rubio"),
    ]
    not_agreed = first_source_rows(kg, """
        SELECT ?quote WHERE {
          #@values
          ?st ag:status ag:NotAgreed ; ag:assertedBy agid:article-reporting ; ag:quote ?quote ; ag:source ?doc }""")
    assert not_agreed == [{"quote": "the Salvadoran president also offered to “house in their jails dangerous U.S. "
                                    "criminals detained in our country, including U.S. nationals and legal residents. "
                                    "No country has ever made such an offer of friendship.” But the latter has not yet "
                                    "been agreed to."}]


def test_q4_what_the_agreement_contains_according_to_rubio(kg):
    rows = first_source_rows(kg, """
        SELECT ?part ?target WHERE {
          #@values
          ?st rdf:subject ?d ; rdf:predicate ag:partOf ; rdf:object agid:immigration-agreement-2025 ;
              ag:status ag:Agreed ; ag:assertedBy agid:marco-rubio ; ag:source ?doc .
          ?d rdfs:label ?part ; ag:targets/rdfs:label ?target .
        } ORDER BY ?part""")
    assert rows == [
        {
            "part": "Deportation of undocumented Salvadorans from the United States to El Salvador",
            "target": "Undocumented Salvadorans in the United States",
        },
        {
            "part": "Transfer of criminal illegal aliens of any nationality from the United States to Salvadoran jails",
            "target": "Criminal illegal aliens of any nationality in the United States",
        },
    ]
    fee = first_source_rows(kg, """
        SELECT ?by ?status ?reason WHERE {
          #@values
          ?st rdf:subject agid:united-states ; rdf:predicate ag:paysFor ; ag:source ?doc ;
              ag:assertedBy/rdfs:label ?by ; ag:status/skos:prefLabel ?status ; ag:reason ?reason }""")
    assert fee == [
        {
            "by": "Nayib Bukele",
            "status": "claimed",
            "reason": "a fee that will allow El Salvador to make its prison system sustainable",
        }
    ]


# 5. Which figures describe El Salvador's prisons, with value, date and source? Where do sources disagree?

FIGURES = """
SELECT ?entity ?measure ?value ?approx ?date ?by ?status WHERE {
          #@values
  ?f a ag:Figure ; ag:value ?value ; ag:measures/skos:prefLabel ?measure ; ag:approximation/skos:prefLabel ?approx .
  ?st rdf:subject ?f ; rdf:predicate ag:describes ; rdf:object ?e ; ag:source ?doc ;
      ag:assertedBy/rdfs:label ?by ; ag:status/skos:prefLabel ?status .
  FILTER(LANG(?by) = "")
  VALUES ?e { agid:salvadoran-prison-system agid:cecot agid:el-salvador agid:exception-regime }
  ?e rdfs:label ?entity . FILTER(LANG(?entity) = "")
  OPTIONAL { ?st (ag:pointInTime|ag:startTime|ag:endTime)/ag:dateValue ?date }
} ORDER BY ?entity ?measure ?value ?by
"""


def test_q5_prison_figures(kg):
    rows = [tuple(r.values()) for r in first_source_rows(kg, FIGURES)]
    es, prisons, regime, cecot = (
        "El Salvador",
        "Salvadoran prison system",
        "State of exception in El Salvador",
        "Terrorist Confinement Center",
    )
    gov, lpg = "Government of El Salvador", "La Prensa Gráfica"
    iachr = "Inter-American Commission on Human Rights"
    rate, rank = "prisoners per 100,000 inhabitants", "world rank by prison population rate (1 = highest)"
    assert rows == [
        (es, rate, 1659, "exactly", "2024-03", lpg, "reported"),
        (es, rank, 1, "exactly", "2024-03", lpg, "reported"),
        (es, rank, 1, "exactly", None, ARTICLE, "reported"),
        (prisons, "deaths in prison", 349, "exactly", "2024-12", "Socorro Jurídico Humanitario", "reported"),
        (prisons, "in-prison death cases shelved", 142, "exactly", "2023-06", "Rodolfo Delgado", "claimed"),
        (prisons, "number of prisons", 22, "exactly", "2022-03-27", ARTICLE, "reported"),
        (prisons, "overcrowding", 130, "at least", "2024", iachr, "reported"),
        (prisons, "overcrowding", 130, "at least", None, ARTICLE, "reported"),
        (prisons, "prison capacity", 27000, "exactly", "2022-03-27", ARTICLE, "reported"),
        (prisons, "prison population", 37000, "exactly", "2022-03-27", gov, "reported"),
        (prisons, "prison population", 109000, "exactly", "2024-03", "World Prison Brief", "reported"),
        (prisons, "prison population", 113000, "about", "2025-02", ARTICLE, "reported"),
        (regime, "detentions since the exception regime began", 80000, "more than", "2022-03-27", ARTICLE, "reported"),
        (regime, "detentions since the exception regime began", 83000, "exactly", "2022-03-27", gov, "claimed"),
        (regime, "people released as innocent", 7000, "at least", "2022-03-27", gov, "claimed"),
        (cecot, "prison capacity", 40000, "exactly", None, "Nayib Bukele", "claimed"),
    ]


def test_q5_where_sources_disagree(kg):
    """Same measure, same entity, different values from different parties, both current (no end date)."""
    rows = first_source_rows(kg, """
        SELECT ?entity ?measure ?low ?low_by ?high ?high_by WHERE {
          #@values
          ?f1 ag:measures ?m ; ag:value ?low . ?f2 ag:measures ?m ; ag:value ?high .
          ?s1 rdf:subject ?f1 ; rdf:predicate ag:describes ; rdf:object ?e ; ag:assertedBy ?b1 ; ag:source ?doc .
          ?s2 rdf:subject ?f2 ; rdf:predicate ag:describes ; rdf:object ?e ; ag:assertedBy ?b2 ; ag:source ?doc .
          FILTER(?low < ?high && ?b1 != ?b2)
          FILTER NOT EXISTS { ?s1 ag:endTime ?x } FILTER NOT EXISTS { ?s2 ag:endTime ?y }
          ?e rdfs:label ?entity . ?m skos:prefLabel ?measure . ?b1 rdfs:label ?low_by . ?b2 rdfs:label ?high_by .
          FILTER(LANG(?entity) = "" && LANG(?low_by) = "" && LANG(?high_by) = "")
        } ORDER BY ?measure""")
    assert [tuple(r.values()) for r in rows] == [
        (
            "State of exception in El Salvador",
            "detentions since the exception regime began",
            80000,
            ARTICLE,
            83000,
            "Government of El Salvador",
        ),
        ("Salvadoran prison system", "prison population", 109000, "World Prison Brief", 113000, ARTICLE),
    ]


# 6. Which agreements has El Salvador made with the United States, and when?


def test_q6_agreements_with_the_united_states(kg):
    rows = first_source_rows(kg, """
        SELECT ?agreement ?how ?date ?inferred ?status ?by WHERE {
          #@values
          ?a a ag:Agreement .
          ?party rdf:subject agid:united-states ; rdf:predicate ag:partyTo ; rdf:object ?a ; ag:source ?doc .
          ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?a ; ag:status/skos:prefLabel ?status ; ag:source ?doc ;
              ag:assertedBy/rdfs:label ?by ; ag:pointInTime [ ag:dateValue ?date ; ag:inferred ?inferred ] .
          VALUES ?p { ag:signed ag:agreedTo }
          FILTER(?s IN (agid:el-salvador, agid:nayib-bukele, agid:salvadoran-government))
          ?a rdfs:label ?agreement . ?p rdfs:label ?how .
        } ORDER BY ?date""")
    assert [tuple(r.values()) for r in rows] == [
        (
            "Safe-third-country agreement between El Salvador and the United States (2019)",
            "signed",
            "2019-09",
            False,
            "reported",
            ARTICLE,
        ),
        (
            "Immigration agreement between El Salvador and the United States (2025)",
            "agreed to",
            "2025-02-03",
            True,
            "agreed",
            "Marco Rubio",
        ),
    ]


# 7. Who heads the State Department, and which list did it publish?


def test_q7_state_department_head_and_list(kg):
    rows = first_source_rows(kg, """
        SELECT DISTINCT ?head ?list WHERE {
          #@values
          ?st rdf:subject ?h ; rdf:predicate ag:heads ; rdf:object agid:us-state-department ; ag:source ?doc .
          ?pub rdf:subject ?l ; rdf:predicate ag:publishedBy ; rdf:object agid:us-state-department ; ag:source ?doc .
          ?h rdfs:label ?head . ?l rdfs:label ?list .
        }""")
    assert rows == [{"head": "Marco Rubio", "list": "Engel List"}]
    roles = first_source_rows(kg, """
        SELECT ?role WHERE {
          #@values
          ?st rdf:predicate ag:heads ; rdf:object agid:us-state-department ; ag:role ?role ; ag:source ?doc }
        ORDER BY ?role""")
    assert [r["role"] for r in roles] == ["Secretary of State", "head"]


# 8. Which institutions documented deaths, torture or ill-treatment in Salvadoran prisons?


def test_q8_who_documented_abuses(kg):
    rows = first_source_rows(kg, """
        SELECT DISTINCT ?institution ?how ?abuse WHERE {
          #@values
          VALUES ?a { agid:torture-in-prisons agid:ill-treatment-in-prisons agid:deaths-in-prisons
                      agid:abortions-in-prisons }
          { ?st rdf:subject ?i ; rdf:predicate ?p ; rdf:object ?a .
            VALUES ?p { ag:documented ag:awareOf ag:investigates } }
          UNION
          { ?st rdf:subject ?i ; rdf:predicate ?p ; rdf:object ?inv . VALUES ?p { ag:urged } ?inv ag:targets ?a }
          ?st ag:quote ?q ; ag:source ?doc .
          ?i rdfs:label ?institution . ?p rdfs:label ?how . ?a rdfs:label ?abuse .
          FILTER(LANG(?institution) = "")
        } ORDER BY ?institution ?abuse""")
    deaths, torture = "Deaths in Salvadoran prisons", "Torture in Salvadoran prisons"
    assert [tuple(r.values()) for r in rows] == [
        ("Attorney General's Office of El Salvador", "investigates", deaths),
        ("Four UN special rapporteurs", "urged", deaths),
        (
            "Inter-American Commission on Human Rights",
            "documented",
            "Abortions witnessed by inmates in Salvadoran prisons",
        ),
        ("Socorro Jurídico Humanitario", "documented", deaths),
        ("The press and human rights monitors", "documented", deaths),
        ("The press and human rights monitors", "documented", torture),
        ("Two UN working groups", "urged", deaths),
        ("United Nations", "aware of", "Ill treatment in Salvadoran prisons"),
        ("United Nations", "aware of", torture),
    ]


# 9. Which charges do the U.S. indictments of MS-13 leaders contain?


def test_q9_indictment_charges(kg):
    rows = first_source_rows(kg, """
        SELECT ?indictment ?charged ?charge ?by ?status WHERE {
          #@values
          ?st rdf:subject ?i ; rdf:predicate ag:charges ; rdf:object ?c ; ag:reason ?charge ; ag:source ?doc ;
              ag:assertedBy/rdfs:label ?by ; ag:status/skos:prefLabel ?status .
          ?i a ag:Indictment ; rdfs:label ?indictment . ?c rdfs:label ?charged .
        } ORDER BY ?charge""")
    assert {(r["indictment"], r["charged"], r["by"], r["status"]) for r in rows} == {
        (
            "Two U.S. federal indictments of MS-13 leaders",
            "MS-13 leaders held in the United States",
            PROSECUTORS,
            "alleged",
        )
    }
    assert [r["charge"] for r in rows] == [
        "conspiracy to commit acts of terrorism that transcend national borders",
        "conspiracy to finance terrorism",
        "conspiracy to provide and conceal material support for terrorists",
        "narco-terrorism",
    ]


# 10. What did each named person say, according to the article?


@pytest.fixture(scope="module")
def said(kg) -> dict[str, list[str]]:
    rows = first_source_rows(kg, """
        SELECT DISTINCT ?person ?quote WHERE {
          #@values
          ?st ag:assertedBy ?p ; ag:quote ?quote ; ag:source ?doc . ?p a ag:Person ; rdfs:label ?person .
        } ORDER BY ?person ?quote""")
    by_person: dict[str, list[str]] = {}
    for row in rows:
        by_person.setdefault(row["person"], []).append(row["quote"])
    return by_person


def test_q10_who_said_something(said):
    assert {p: len(q) for p, q in said.items()} == {
        "Marco Rubio": 12,
        "Milena Mayorga": 5,
        "Nayib Bukele": 2,
        "Rodolfo Delgado": 2,
        "Tatiana Marroquín": 2,
    }


def test_q10_what_they_said(said):
    assert said["Nayib Bukele"] == [
        "According to Bukele, the United States will pay a fee that will allow El Salvador to make its prison system "
        "sustainable, but no authority has detailed the amount.",
        "but which according to Bukele has capacity for 40,000 inmates",
    ]
    assert said["Tatiana Marroquín"] == [
        "“There are no institutions prepared to receive migrants according to rights or the minimum of assistance, "
        "whether or not these migrants have committed crimes,” says economist Tatiana Marroquín",
        "“Without institutionality it doesn't matter how much money the United States gives Nayib Bukele's government; "
        "we would be guaranteed institutional chaos and rights violations,” says Marroquín.",
    ]
    assert said["Rodolfo Delgado"] == [
        "Attorney General Rodolfo Delgado said in December that they are still investigating the in-prison deaths",
        "in June 2023 he had said that 142 deaths had been shelved because, he said, there was no crime to prosecute",
    ]
    assert (
        "“The president was blunt and told Rubio: I want you to send me the gang leaders who are in the United States."
        in said["Milena Mayorga"]
    )
    assert (
        "He told him exactly, we want the gang leaders deported to us, I think it was a matter of honor,” Mayorga said."
        in said["Milena Mayorga"]
    )
    assert (
        "“The President, in an act of extraordinary friendship toward our country, has agreed to the most "
        "extraordinary and unprecedented immigration agreement in the world,” Rubio said." in said["Marco Rubio"]
    )
    assert "But the latter has not yet been agreed to." not in said["Marco Rubio"]
