"""The ontology itself: it parses, it declares what it uses, its relationship types are complete, its
inverses agree, and it says how it relates to the vocabularies it reuses."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, SDO, SKOS, TIME

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY = ONTOLOGY_DIR / "actorgraph.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
AG = rdflib.Namespace("https://w3id.org/actorgraph/ont#")

PROPERTY_KINDS = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}


@pytest.fixture(scope="module")
def ont() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY, format="turtle")


def ag_terms(graph: rdflib.Graph) -> set[URIRef]:
    """Every ag: IRI the graph mentions, in any position."""
    return {t for triple in graph for t in triple if isinstance(t, URIRef) and t.startswith(str(AG))}


def relationship_types(ont: rdflib.Graph) -> list[URIRef]:
    return sorted(ont.subjects(RDFS.subPropertyOf, AG.relatedTo))


def test_ontology_and_shapes_parse_with_both_parsers():
    for path in (ONTOLOGY, SHAPES):
        assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))) > 100
        assert len(rdflib.Graph().parse(path, format="turtle")) > 100


def test_every_ag_term_used_is_declared(ont):
    declared = set(ont.subjects(RDF.type, None))
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    undeclared = sorted((ag_terms(ont) | ag_terms(shapes)) - declared)
    assert undeclared == []


def test_every_declared_term_has_a_label(ont):
    unlabelled = sorted(
        t
        for t in ag_terms(ont)
        if (t, RDF.type, None) in ont and (t, RDFS.label, None) not in ont and (t, SKOS.prefLabel, None) not in ont
    )
    assert unlabelled == []


def test_there_are_relationship_types(ont):
    assert len(relationship_types(ont)) >= 30


def test_every_relationship_type_is_complete(ont):
    classes = set(ont.subjects(RDF.type, OWL.Class))
    problems = []
    for rel in relationship_types(ont):
        for prop in (RDFS.label, RDFS.comment, RDFS.domain, RDFS.range, AG.edgeLabel, AG.colour):
            values = list(ont.objects(rel, prop))
            if len(values) != 1:
                problems.append(f"{rel} has {len(values)} {prop}")
        for prop in (RDFS.domain, RDFS.range):
            for cls in ont.objects(rel, prop):
                if cls not in classes:
                    problems.append(f"{rel} {prop} {cls} is not a declared class")
    assert problems == []


def test_inverses_are_symmetric(ont):
    pairs = list(ont.subject_objects(OWL.inverseOf))
    assert pairs, "the ontology declares inverses"
    one_sided = sorted(f"{a} inverseOf {b}" for a, b in pairs if (b, OWL.inverseOf, a) not in ont)
    assert one_sided == []


def test_inverses_are_declared_properties(ont):
    for a, b in ont.subject_objects(OWL.inverseOf):
        for prop in (a, b):
            kinds = set(ont.objects(prop, RDF.type))
            assert kinds & PROPERTY_KINDS, f"{prop} is not declared as a property"
            assert (prop, RDFS.label, None) in ont


def test_classes_and_properties_are_disjoint_and_typed(ont):
    """A structural OWL check: no term is both a class and a property, every ag: property has one kind."""
    classes = set(ont.subjects(RDF.type, OWL.Class))
    for term in ag_terms(ont):
        kinds = set(ont.objects(term, RDF.type))
        property_kinds = kinds & PROPERTY_KINDS
        assert not (term in classes and property_kinds), f"{term} is both a class and a property"
        assert len(property_kinds) <= 1, f"{term} has kinds {property_kinds}"


def test_class_hierarchy_has_no_cycles_and_ends_in_declared_classes(ont):
    classes = set(ont.subjects(RDF.type, OWL.Class))
    for cls in classes:
        for parent in ont.objects(cls, RDFS.subClassOf):
            if parent.startswith(str(AG)):
                assert parent in classes, f"{cls} subClassOf undeclared {parent}"
        assert cls not in set(ont.transitive_objects(cls, RDFS.subClassOf)) - {cls}, f"{cls} is its own ancestor"


def test_entity_classes_descend_from_entity(ont):
    for cls in (
        AG.Actor,
        AG.Person,
        AG.Organization,
        AG.Place,
        AG.Country,
        AG.Prison,
        AG.Offer,
        AG.Agreement,
        AG.SanctionProgramme,
        AG.Event,
        AG.Arrest,
    ):
        assert AG.Entity in set(ont.transitive_objects(cls, RDFS.subClassOf)), cls


EXTERNAL = {
    "FOAF": FOAF,
    "schema.org": SDO,
    "ORG": ORG,
    "PROV": PROV,
    "SKOS": SKOS,
    "Dublin Core": DCTERMS,
    "OWL-Time": TIME,
}


@pytest.mark.parametrize("name", sorted(EXTERNAL))
def test_reused_vocabulary_is_a_superclass_or_superproperty(ont, name):
    namespace = EXTERNAL[name]
    parents = [o for p in (RDFS.subClassOf, RDFS.subPropertyOf) for o in ont.objects(None, p)]
    reused = [o for o in parents if str(o).startswith(str(namespace._NS))]
    assert reused, f"no ag: term is a subclass or subproperty of a {name} term"
    for term in reused:
        assert str(term)[len(str(namespace._NS)) :] in namespace, f"{term} is not a term of {name}"


def test_statements_are_rdf_statements_by_their_properties_not_by_an_axiom(ont):
    """OWL 2 DL reserves rdf:Statement; rdf:subject's RDFS domain makes every statement one anyway."""
    assert (AG.Statement, RDFS.subClassOf, RDF.Statement) not in ont
    assert (AG.SanctionListing, RDFS.subClassOf, AG.Statement) in ont
    import owlrl

    statement = rdflib.Graph().parse(
        data="@prefix ag: <https://w3id.org/actorgraph/ont#> .\n"
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        "<urn:st> a ag:Statement ; rdf:subject <urn:a> ; rdf:predicate ag:heads ; rdf:object <urn:b> .",
        format="turtle",
    )
    # RDFS's own axioms (rdf:subject rdfs:domain rdf:Statement) are what types it.
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics, axiomatic_triples=True).expand(statement)
    assert (URIRef("urn:st"), RDF.type, RDF.Statement) in statement


def test_every_relationship_type_is_declared_an_object_property(ont):
    """Directly, not through a metaclass (which owlready2 refuses)."""
    assert (AG.relatedTo, RDF.type, OWL.ObjectProperty) in ont
    assert [p for p in relationship_types(ont) if (p, RDF.type, OWL.ObjectProperty) not in ont] == []
    assert list(ont.subjects(RDFS.subClassOf, OWL.ObjectProperty)) == []
    assert (None, RDF.type, AG.RelationshipType) not in ont


def test_every_edge_styled_property_is_a_relationship_type(ont):
    styled = set(ont.subjects(AG.edgeLabel, None))
    assert styled == set(relationship_types(ont))


def test_styled_classes_have_valid_colours(ont):
    import re

    for subject, colour in ont.subject_objects(AG.colour):
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", str(colour)), f"{subject} has colour {colour}"


def test_shapes_give_a_message_for_every_constraint():
    """Every property shape, and every node shape with constraints of its own, says what is wrong."""
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    property_shapes = set(shapes.objects(None, sh.property))
    assert property_shapes
    for shape in property_shapes:
        assert (shape, sh.message, None) in shapes, shapes.cbd(shape).serialize(format="turtle")
    node_constraints = (sh["class"], sh["or"], sh["not"])
    for shape in shapes.subjects(RDF.type, sh.NodeShape):
        if any((shape, c, None) in shapes for c in node_constraints):
            assert (shape, sh.message, None) in shapes, shape
    for constraint in shapes.objects(None, sh.sparql):
        assert (constraint, sh.message, None) in shapes


# -- the ontology as standard tools read it: OWL 2 DL (owlready2, HermiT), OWL-RL (owlrl), pySHACL ------

ROOT = ONTOLOGY_DIR.parent
GRAPH_FILES = sorted((ROOT / "graph").glob("*.ttl"))
WORLD_FILES = sorted((Path(__file__).resolve().parent / "fixtures" / "world").glob("*.ttl"))
# The published domain, range, hierarchy and disjointness of every reused term, so that the reasoners
# check our reuse against what PROV-O, ORG, FOAF, DCMI, SKOS, OWL-Time and schema.org say.
REUSED = Path(__file__).resolve().parent / "fixtures" / "reused-vocabularies.ttl"
RESERVED = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")
BUILT_IN_PROPERTIES = {
    RDF.type,
    RDF.first,
    RDF.rest,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    RDFS.isDefinedBy,
}
# Statement nodes are RDF reification (rdf:subject, rdf:predicate, rdf:object): plain RDF that OWL does
# not interpret, found only in the data.
REIFICATION = {RDF.subject, RDF.predicate, RDF.object}

needs_java = pytest.mark.skipif(
    __import__("shutil").which("java") is None,
    reason="HermiT needs a Java runtime: apt-get install default-jre-headless",
)


def merged(*paths: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def owlready_world(tmp_path: Path, *paths: Path):
    """A fresh owlready2 world holding the files (owlready2 reads N-Triples, not Turtle)."""
    import owlready2

    target = tmp_path / "merged.nt"
    merged(*paths).serialize(target, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(target.as_uri()).load()
    return world


def hermit(world) -> None:
    """Run HermiT over the world. Year and year-month literals are outside the OWL 2 datatype map, so
    HermiT is told to ignore them (docs/reasoning.md)."""
    import owlready2

    owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)


def test_the_ontology_is_owl2_dl_typed(ont):
    """OWL 2 DL's typing rules, checked structurally: every term has one kind, the reserved vocabulary is
    used only as OWL built-ins, object properties link resources and data properties give literals."""
    data = merged(ONTOLOGY, *GRAPH_FILES)
    kinds = {
        kind: set(data.subjects(RDF.type, kind))
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype)
    }
    problems = []
    for term in set().union(*kinds.values()):
        held = [k for k, terms in kinds.items() if term in terms]
        if isinstance(term, URIRef) and len(held) > 1:
            problems.append(f"{term} is {held}")
        if isinstance(term, URIRef) and str(term).startswith(RESERVED):
            problems.append(f"{term} is reserved vocabulary declared as {held}")
    for subject, predicate, obj in data:
        if predicate in REIFICATION or predicate in BUILT_IN_PROPERTIES or str(predicate).startswith(str(OWL)):
            if (
                predicate in (RDFS.subClassOf, RDFS.domain)
                and isinstance(obj, URIRef)
                and str(obj).startswith(RESERVED)
                and obj != OWL.Thing
            ):
                problems.append(f"{subject} uses reserved {obj} as a class")
            continue
        if predicate in kinds[OWL.ObjectProperty] and isinstance(obj, rdflib.Literal):
            problems.append(f"object property {predicate} has a literal: {subject}")
        elif predicate in kinds[OWL.DatatypeProperty] and not isinstance(obj, rdflib.Literal):
            problems.append(f"data property {predicate} has a resource: {subject}")
        elif not any(predicate in kinds[k] for k in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)):
            problems.append(f"{predicate} is used but not declared (on {subject})")
    for cls in set(data.objects(None, RDFS.subClassOf)) | set(data.objects(None, RDF.type)):
        if isinstance(cls, URIRef) and not str(cls).startswith(RESERVED) and cls not in kinds[OWL.Class]:
            problems.append(f"{cls} is used as a class but not declared")
    assert sorted(set(problems)) == []


def test_owlready2_loads_the_ontology(tmp_path):
    import owlready2

    world = owlready_world(tmp_path, ONTOLOGY)
    heads = world[str(AG.heads)]
    assert isinstance(heads, owlready2.ObjectPropertyClass)
    assert world[str(AG.relatedTo)] in heads.is_a
    relationship_count = len(relationship_types(rdflib.Graph().parse(ONTOLOGY, format="turtle")))
    assert sum(1 for p in world.object_properties() if world[str(AG.relatedTo)] in p.is_a) == relationship_count
    assert isinstance(world[str(AG.note)], owlready2.AnnotationPropertyClass)
    assert isinstance(world[str(AG.quote)], owlready2.DataPropertyClass)


@needs_java
def test_hermit_classifies_the_ontology_with_no_unsatisfiable_class(tmp_path):
    world = owlready_world(tmp_path, ONTOLOGY, REUSED)
    hermit(world)
    assert list(world.inconsistent_classes()) == []
    person = world[str(AG.Person)]
    # Inferred, not asserted: a person is a FOAF and PROV agent through ag:Actor.
    assert world["http://xmlns.com/foaf/0.1/Agent"] in person.ancestors()
    assert world["http://www.w3.org/ns/prov#Agent"] in person.ancestors()


@needs_java
@pytest.mark.parametrize("data", ["shipped graph", "fixture world"])
def test_hermit_finds_the_ontology_consistent_with_the_data(tmp_path, data):
    files = GRAPH_FILES if data == "shipped graph" else WORLD_FILES
    hermit(owlready_world(tmp_path, ONTOLOGY, REUSED, *files))  # raises OwlReadyInconsistentOntologyError


CLASHES = {
    "a person typed as a prison": "agid:marco-rubio a ag:Prison .",
    "an event typed as an agent": "agid:negotiation-government-ms13 a ag:Actor .",
    "an offer typed as an agreement": "agid:offer-jail-us-criminals a ag:Agreement .",
    "a prison heading an office": "agid:cecot ag:heads agid:dgcp .",
    "a statement typed as an entity": "agid:st-rubio-announced-immigration-agreement a ag:Entity .",
}


@needs_java
@pytest.mark.parametrize("clash", sorted(CLASHES))
def test_hermit_catches_a_type_clash(tmp_path, clash):
    import owlready2

    extra = tmp_path / "clash.ttl"
    extra.write_text(
        "@prefix ag: <https://w3id.org/actorgraph/ont#> . @prefix agid: <https://w3id.org/actorgraph/id/> .\n"
        + CLASHES[clash],
        encoding="utf-8",
    )
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        hermit(owlready_world(tmp_path, ONTOLOGY, REUSED, *GRAPH_FILES, extra))


@needs_java
def test_hermit_refuses_year_literals_unless_told_to_ignore_them(tmp_path):
    """Why `hermit()` passes ignore_unsupported_datatypes: xsd:date, xsd:gYear and xsd:gYearMonth are not in
    the OWL 2 datatype map (HermiT names the first one it meets). The flag drops the date-value assertions
    from reasoning and nothing else."""
    import owlready2

    with pytest.raises(owlready2.OwlReadyJavaError, match=r"XMLSchema#(date|gYear|gYearMonth)'"):
        owlready2.sync_reasoner_hermit(owlready_world(tmp_path, ONTOLOGY, *GRAPH_FILES), debug=0)


def owlrl_closure(*paths: Path) -> tuple[rdflib.Graph, dict]:
    import owlrl

    graph = merged(*paths)
    asserted: dict = {}
    for node, cls in graph.subject_objects(RDF.type):
        asserted.setdefault(node, set()).add(cls)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph, asserted


@pytest.fixture(scope="module")
def closure() -> tuple[rdflib.Graph, dict]:
    return owlrl_closure(ONTOLOGY, REUSED, *GRAPH_FILES)


def test_owlrl_types_no_actor_as_an_activity_and_no_non_organisation_as_an_organisation(closure):
    graph, _ = closure
    actors = set(graph.subjects(RDF.type, AG.Actor))
    assert len(actors) > 50
    assert sorted(actors & set(graph.subjects(RDF.type, PROV.Activity))) == []
    assert sorted(actors & set(graph.subjects(RDF.type, PROV.Agent))) == sorted(actors)
    events = set(graph.subjects(RDF.type, AG.Event))
    assert sorted(events & set(graph.subjects(RDF.type, PROV.Agent))) == []
    organisations = set(graph.subjects(RDF.type, ORG.Organization))
    assert (
        sorted(n for n in organisations if (n, RDF.type, AG.Organization) not in graph and n != AG.Organization) == []
    )
    assert (URIRef("https://w3id.org/actorgraph/id/cecot"), RDF.type, ORG.Organization) not in graph


@pytest.mark.parametrize("data", ["shipped graph", "fixture world"])
def test_owlrl_gives_no_node_a_class_it_was_not_already_in(closure, data):
    """Every class the OWL-RL closure gives a node is its asserted class or one of that class's
    superclasses: no reused domain or range drags a node into a class it does not belong to."""
    graph, asserted = closure if data == "shipped graph" else owlrl_closure(ONTOLOGY, REUSED, *WORLD_FILES)
    surprises = []
    for node, classes in asserted.items():
        if not isinstance(node, URIRef) or not str(node).startswith("https://w3id.org/actorgraph/id/"):
            continue
        allowed = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}
        for cls in classes:
            allowed |= set(graph.objects(cls, RDFS.subClassOf)) | {cls}
        surprises += [f"{node} a {cls}" for cls in graph.objects(node, RDF.type) if cls not in allowed]
    assert surprises == []


@pytest.mark.parametrize("data", ["shipped graph", "fixture world"])
def test_the_standard_pyshacl_run_conforms(tmp_path, data):
    """`pyshacl -s ontology/shapes.ttl -e ontology/actorgraph.ttl -i rdfs DATA`, run as a user runs it."""
    import subprocess
    import sys

    target = tmp_path / "data.ttl"
    merged(*(GRAPH_FILES if data == "shipped graph" else WORLD_FILES)).serialize(target, format="turtle")
    pyshacl = Path(sys.executable).parent / "pyshacl"
    command = [str(pyshacl), "-s", str(SHAPES), "-e", str(ONTOLOGY), "-i", "rdfs", str(target)]
    if data == "fixture world":
        command.insert(1, "--allow-warnings")  # the world leaves three countries unsaid, on purpose
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Conforms: True" in result.stdout


@needs_java
def test_the_reasoning_guide_s_examples_run(monkeypatch, capsys):
    """docs/reasoning.md's Python examples, run as a reader would, from the project's root."""
    import re

    monkeypatch.chdir(ROOT)
    guide = (ROOT / "docs" / "reasoning.md").read_text(encoding="utf-8")
    examples = re.findall(r"```python\n(.*?)```", guide, re.DOTALL)
    assert len(examples) == 2
    for example in examples:
        exec(compile(example, "docs/reasoning.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert "Secret negotiation between the Bukele government and MS-13" in printed[0]
    assert printed[-1] == "[]"
