"""CASE 1.1 definitions shared by the reader (:mod:`align.frameworks.case`) and the writer
(:mod:`align.exports._case`): identifier namespace, item types, association types.

Frameworks read CASE packages and exports write them; both take their vocabulary
from here, so the layers point one way (exports -> frameworks) and a type added
for one direction is known to the other.
"""

from __future__ import annotations

import uuid

from align.frameworks._builtin import slug
from align.frameworks._model import KINDS

__all__ = [
    "ASSOCIATION_RELATIONS",
    "CASE_NAMESPACE",
    "CFPACKAGE_SHAPE",
    "ITEM_TYPES",
    "TYPE_KINDS",
    "case_uuid",
]

#: Namespace of the UUIDv5 identifiers align gives exported CASE objects.
CASE_NAMESPACE = uuid.UUID("21aa7fd7-0f2b-5ba6-ab1c-d620df771b7e")

#: ``CFItemType`` written for each align kind.
ITEM_TYPES: dict[str, str] = {
    "skill": "Skill",
    "knowledge": "Knowledge",
    "ability": "Ability",
    "work_activity": "Work Activity",
    "work_style": "Work Style",
    "dwa": "Detailed Work Activity",
    "iwa": "Intermediate Work Activity",
    "task": "Task",
    "technology": "Technology",
    "competency": "Competency",
    "behaviour": "Behaviour",
    "certification": "Certification",
    "area": "Area",
}


def case_uuid(*parts: str) -> str:
    """A stable UUIDv5 identifier for a CASE object from align's ids (same ids, same UUID).

    Examples
    --------
    >>> case_uuid("CFItem", "nace:communication") == case_uuid("CFItem", "nace:communication")
    True
    """
    return str(uuid.uuid5(CASE_NAMESPACE, "\x1f".join(parts)))


#: CFItemType values seen in published frameworks (compared after slug()), and their kind.
# Types not listed become "area" when the item has children, else "competency".
TYPE_KINDS: dict[str, str] = {
    **{slug(title): kind for kind, title in ITEM_TYPES.items()},
    **{kind: kind for kind in KINDS},
    "competence": "competency",
    "standard": "competency",
    "learning_standard": "competency",
    "learning_objective": "competency",
    "objective": "competency",
    "outcome": "competency",
    "learning_outcome": "competency",
    "indicator": "behaviour",
    "performance_indicator": "behaviour",
    "behavior": "behaviour",
    "key_behavior": "behaviour",
    "key_behaviour": "behaviour",
    "sample_behavior": "behaviour",
    "domain": "area",
    "cluster": "area",
    "strand": "area",
    "category": "area",
    "grouping": "area",
    "group": "area",
    "tier": "area",
    "competency_area": "area",
    "competency_block": "area",
    "block": "area",
    "section": "area",
    "topic": "area",
    "theme": "area",
}

#: Non-hierarchy associations the reader turns into relations, and the relation.
ASSOCIATION_RELATIONS: dict[str, str] = {
    "exactMatchOf": "crosswalk",
    "isRelatedTo": "related",
    "isPeerOf": "related",
    "isPartOf": "related",
    "precedes": "related",
    "replacedBy": "related",
    "exemplar": "related",
    "hasSkillLevel": "related",
    "isTranslationOf": "related",
}

CFPACKAGE_SHAPE = (
    'a CFPackage is a JSON object {"CFDocument": {"identifier", "uri", "title", "creator", '
    '...}, "CFItems": [{"identifier", "fullStatement", "humanCodingScheme", "CFItemType", '
    '...}], "CFAssociations": [{"associationType": "isChildOf", "originNodeURI": {...}, '
    '"destinationNodeURI": {...}}]}. Export the framework from your CASE tool (OpenSALT, '
    "the CASE Network, a state standards site) as a CASE 1.1 package (CFPackage) JSON"
)
