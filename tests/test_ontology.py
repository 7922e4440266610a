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
        if (t, RDF.type, None) in ont
        and (t, RDFS.label, None) not in ont
        and (t, SKOS.prefLabel, None) not in ont
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
        assert cls not in set(ont.transitive_objects(cls, RDFS.subClassOf)) - {cls}, (
            f"{cls} is its own ancestor"
        )


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


def test_statement_is_an_rdf_statement(ont):
    assert (AG.Statement, RDFS.subClassOf, RDF.Statement) in ont
    assert (AG.SanctionListing, RDFS.subClassOf, AG.Statement) in ont


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
