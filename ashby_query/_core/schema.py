"""The schema registry: the twelve entities of the Ashby agent connector, as data.

Everything here is transcribed from the connector's API reference: each entity's
actions, the ``get`` parameter, the record fields with their types, and, for the five
searchable entities, the searchable fields with type and description. Code elsewhere
looks things up here instead of branching on entity names.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .errors import Problem, QueryError
from .types import FieldType
from .values import shown

__all__ = ["ENTITIES", "Entity", "SearchField", "get_entity"]

_T = {
    "s": FieldType.STRING,
    "b": FieldType.BOOLEAN,
    "t": FieldType.TIMESTAMP,
    "a": FieldType.ARRAY,
    "o": FieldType.OBJECT,
}


@attrs.frozen
class SearchField:
    """A field that ``context_store_search`` can filter and sort on."""

    name: str
    type: FieldType
    description: str


@attrs.frozen(repr=False)
class Entity:
    """One entity of the connector and what can be done with it.

    Build your own to follow a connector that gained fields before ashby-query did; it
    works wherever an entity name does:

    >>> import attrs
    >>> from ashby_query import ENTITIES, FieldType, SearchField, compile
    >>> apps = ENTITIES["applications"]
    >>> mine = attrs.evolve(apps, searchable={**apps.searchable,
    ...     "source": SearchField("source", FieldType.STRING, "Where it came from")})
    >>> compile('source = "referral"', entity=mine)
    {'query': {'filter': {'eq': {'source': 'referral'}}}}
    >>> mine
    Entity('applications', searchable=id, status, archiveReason, createdAt, updatedAt, source)
    """

    name: str
    class_name: str
    actions: tuple[str, ...]
    record_fields: Mapping[str, FieldType]
    searchable: Mapping[str, SearchField]
    get_param: str | None = None
    get_param_python: str | None = None
    description: str = ""

    @property
    def is_searchable(self) -> bool:
        """Whether the entity supports ``context_store_search``."""
        return "context_store_search" in self.actions

    def resolve(self, name: str) -> str | None:
        """Return the wire name of searchable field ``name`` written in any case style."""
        if name in self.searchable:
            return name
        return self._lookup.get(_fold(name))

    def resolve_record_field(self, name: str) -> str | None:
        """Return the wire name of record field ``name`` written in any case style."""
        if name in self.record_fields:
            return name
        return self._record_lookup.get(_fold(name))

    def unknown_field_message(self, name: str, *, what: str = "field", suggest: bool = True) -> str:
        """Say that ``name`` is not a searchable field, with the closest names."""
        close = self.closest(name) if suggest else []
        hint = f" Did you mean {_or_list(close)}?" if close else ""
        return (
            f"{shown(name)} is not a searchable {what} of {self.name}.{hint} "
            f"Searchable fields: {', '.join(self.searchable)}."
        )

    def closest(self, name: str, pool: Mapping[str, object] | None = None) -> list[str]:
        """Return up to three field names that look like ``name``."""
        import difflib

        names = list(pool if pool is not None else self.searchable)
        folded = {_fold(n): n for n in names}
        hits = difflib.get_close_matches(_fold(name), list(folded), n=3, cutoff=0.6)
        return [folded[h] for h in hits]

    def __repr__(self) -> str:
        return f"Entity({self.name!r}, searchable={', '.join(self.searchable) or '-'})"

    @property
    def _lookup(self) -> dict[str, str]:
        if ENTITIES.get(self.name) is self:
            return _LOOKUPS[self.name][0]
        return {_fold(n): n for n in self.searchable}

    @property
    def _record_lookup(self) -> dict[str, str]:
        if ENTITIES.get(self.name) is self:
            return _LOOKUPS[self.name][1]
        return {_fold(n): n for n in self.record_fields}


def _fold(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def _or_list(names: list[str]) -> str:
    quoted = [repr(n) for n in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _fields(spec: str) -> dict[str, FieldType]:
    return {name: _T[code] for name, code in (f.split(":") for f in spec.split())}


def _searchable(*rows: tuple[str, str, str]) -> dict[str, SearchField]:
    return {name: SearchField(name, _T[code], desc) for name, code, desc in rows}


_LIST = ("list",)
_LIST_GET = ("list", "get")
_ALL = ("list", "get", "context_store_search")

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in [
        Entity(
            "candidates",
            "Candidates",
            _ALL,
            _fields(
                "id:s createdAt:t updatedAt:t name:s emailAddresses:a phoneNumbers:a "
                "socialLinks:a tags:a applicationIds:a fileHandles:a customFields:a "
                "profileUrl:s source:o creditedToUser:o timezone:s company:s position:s "
                "school:s"
            ),
            _searchable(
                ("id", "s", "Unique identifier for the candidate"),
                ("name", "s", "Full name of the candidate"),
                ("company", "s", "Candidate's current company"),
                ("position", "s", "Candidate's current position or title"),
                ("school", "s", "School associated with the candidate's education"),
            ),
            "id",
            "id",
            "People who applied or were sourced.",
        ),
        Entity(
            "applications",
            "Applications",
            _ALL,
            _fields(
                "id:s createdAt:t updatedAt:t archivedAt:t candidate:o status:s "
                "customFields:a currentInterviewStage:o source:o creditedToUser:o "
                "archiveReason:o job:o hiringTeam:a appliedViaJobPostingId:s "
                "submitterClientIp:s submitterUserAgent:s"
            ),
            _searchable(
                ("id", "s", "Unique identifier for the application"),
                ("status", "s", "Current application status (e.g. active, archived, hired)"),
                ("archiveReason", "s", "Reason the application was archived, if applicable"),
                (
                    "createdAt",
                    "t",
                    "Timestamp when the application was created, in ISO 8601 format",
                ),
                (
                    "updatedAt",
                    "t",
                    "Timestamp when the application was last updated, in ISO 8601 format",
                ),
            ),
            "applicationId",
            "application_id",
            "A candidate's application to a job.",
        ),
        Entity(
            "jobs",
            "Jobs",
            _ALL,
            _fields(
                "id:s title:s confidential:b status:s employmentType:s locationId:s "
                "departmentId:s defaultInterviewPlanId:s interviewPlanIds:a "
                "jobPostingIds:a customFields:a hiringTeam:a customRequisitionId:s "
                "brandId:s author:o createdAt:t updatedAt:t openedAt:t closedAt:t"
            ),
            _searchable(
                ("id", "s", "Unique identifier for the job"),
                ("title", "s", "Title of the job"),
                ("status", "s", "Current status of the job (e.g. open, closed, draft)"),
                ("departmentId", "s", "Identifier of the department the job belongs to"),
                ("locationId", "s", "Identifier of the primary location of the job"),
            ),
            "id",
            "id",
            "Open, closed and archived jobs.",
        ),
        Entity(
            "departments",
            "Departments",
            _LIST_GET,
            _fields(
                "id:s name:s externalName:s isArchived:b parentId:s createdAt:t "
                "updatedAt:t extraData:o"
            ),
            {},
            "departmentId",
            "department_id",
            "Departments of the organization.",
        ),
        Entity(
            "locations",
            "Locations",
            _LIST_GET,
            _fields(
                "id:s name:s externalName:s isArchived:b address:o isRemote:b "
                "workplaceType:s parentLocationId:s type:s extraData:o"
            ),
            {},
            "locationId",
            "location_id",
            "Office and remote locations.",
        ),
        Entity(
            "users",
            "Users",
            _ALL,
            _fields("id:s firstName:s lastName:s email:s globalRole:s isEnabled:b updatedAt:t"),
            _searchable(
                ("id", "s", "Unique identifier for the user"),
                ("firstName", "s", "First name of the user"),
                ("lastName", "s", "Last name of the user"),
                ("email", "s", "Primary email address of the user"),
            ),
            "userId",
            "user_id",
            "People with an Ashby account in the organization.",
        ),
        Entity(
            "job_postings",
            "JobPostings",
            _ALL,
            _fields(
                "id:s title:s jobId:s departmentName:s teamName:s locationName:s "
                "locationExternalName:s workplaceType:s employmentType:s isListed:b "
                "publishedDate:t applicationDeadline:t externalLink:s applyLink:s "
                "locationIds:o compensationTierSummary:s "
                "shouldDisplayCompensationOnJobBoard:b updatedAt:t"
            ),
            _searchable(
                ("id", "s", "Unique identifier for the job posting"),
                ("title", "s", "Title of the job posting"),
                ("isListed", "b", "Whether the job posting is currently published/listed"),
                ("jobId", "s", "Identifier of the job this posting belongs to"),
                ("locationName", "s", "Name of the location associated with the posting"),
            ),
            "jobPostingId",
            "job_posting_id",
            "Published descriptions of jobs.",
        ),
        Entity(
            "sources",
            "Sources",
            _LIST,
            _fields("id:s title:s isArchived:b sourceType:o"),
            {},
            description="Where candidates come from.",
        ),
        Entity(
            "archive_reasons",
            "ArchiveReasons",
            _LIST,
            _fields("id:s text:s reasonType:s isArchived:b"),
            {},
            description="Reasons an application can be archived with.",
        ),
        Entity(
            "candidate_tags",
            "CandidateTags",
            _LIST,
            _fields("id:s title:s isArchived:b"),
            {},
            description="Tags that can be put on candidates.",
        ),
        Entity(
            "custom_fields",
            "CustomFields",
            _LIST,
            _fields("id:s title:s objectType:s isArchived:b isPrivate:b fieldType:s"),
            {},
            description="Custom field definitions.",
        ),
        Entity(
            "feedback_form_definitions",
            "FeedbackFormDefinitions",
            _LIST,
            _fields(
                "id:s organizationId:s title:s isArchived:b isDefaultForm:b "
                "formDefinition:o interviewId:s"
            ),
            {},
            description="Interview feedback forms.",
        ),
    ]
}

_LOOKUPS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    e.name: (
        {_fold(n): n for n in e.searchable},
        {_fold(n): n for n in e.record_fields},
    )
    for e in ENTITIES.values()
}


def search_types(entity: Entity) -> Mapping[str, FieldType]:
    """Return each searchable field's wire name mapped to its type.

    Validation's fast path reads it once per call. The built-in entities' tables are
    made once; one a user built is read afresh (it may change between calls).
    """
    cached = _SEARCH_TYPES.get(entity.name)
    if cached is not None and cached[0] is entity:
        return cached[1]
    return {name: field.type for name, field in entity.searchable.items()}


_SEARCH_TYPES: dict[str, tuple[Entity, Mapping[str, FieldType]]] = {
    e.name: (e, {name: field.type for name, field in e.searchable.items()})
    for e in ENTITIES.values()
}

_ENTITY_LOOKUP = {_fold(e.name): e for e in ENTITIES.values()} | {
    _fold(e.class_name): e for e in ENTITIES.values()
}

SEARCHABLE = tuple(e.name for e in ENTITIES.values() if e.is_searchable)


def _checked(entity: Entity) -> Entity:
    """Check an :class:`Entity` a user built the way the built-in ones are written."""
    if ENTITIES.get(entity.name) is entity:
        return entity
    problems = []
    for key, field in entity.searchable.items():
        if not (isinstance(field, SearchField) and field.name == key):
            problems.append(f"searchable[{key!r}] must be SearchField({key!r}, ...), got {field!r}")
        elif not isinstance(field.type, FieldType):
            problems.append(f"{key!r} must have a FieldType, got {field.type!r}")
    if not isinstance(entity.name, str) or not entity.name:
        problems.append(f"the name must be a non-empty string, got {entity.name!r}")
    if problems:
        raise QueryError(
            [
                Problem(
                    "bad_entity",
                    ("entity",),
                    f"The entity {entity.name!r} is not well formed: {'; '.join(problems)}. "
                    f"Build it with attrs.evolve(ENTITIES[...], searchable={{...}}) and "
                    f"SearchField values.",
                    entity.name,
                )
            ]
        )
    return entity


def get_entity(entity: str | Entity, *, searchable: bool = True) -> Entity:
    """Return the :class:`Entity` named ``entity`` (``"job_postings"``, ``"JobPostings"``).

    Raises :class:`QueryError` for an unknown entity, or, with ``searchable``, one that
    ``context_store_search`` does not support.
    """
    # A built-in entity passed on by a caller that looked it up already: the common
    # case, answered without further look-ups.
    if (
        type(entity) is Entity
        and ENTITIES.get(entity.name) is entity
        and (not searchable or entity.is_searchable)
    ):
        return entity
    found: Entity | None = ENTITIES.get(entity) if isinstance(entity, str) else None
    if found is not None:
        pass
    elif isinstance(entity, Entity):
        found = _checked(entity)
    elif isinstance(entity, str):
        found = _ENTITY_LOOKUP.get(_fold(entity))
    else:
        raise QueryError(
            [
                Problem(
                    "unknown_entity",
                    ("entity",),
                    f"The entity must be a name such as 'candidates', got {shown(entity)}.",
                    entity,
                )
            ]
        )
    if found is None:
        import difflib

        close = difflib.get_close_matches(_fold(str(entity)), list(_ENTITY_LOOKUP), n=1)
        hint = f" Did you mean {_ENTITY_LOOKUP[close[0]].name!r}?" if close else ""
        raise QueryError(
            [
                Problem(
                    "unknown_entity",
                    ("entity",),
                    f"{shown(entity)} is not an Ashby entity.{hint} "
                    f"Entities: {', '.join(ENTITIES)}.",
                    entity,
                )
            ]
        )
    if searchable and not found.is_searchable:
        raise QueryError(
            [
                Problem(
                    "not_searchable",
                    ("entity",),
                    f"{found.name} cannot be searched: the connector offers "
                    f"{' and '.join(found.actions)} for it, not context_store_search. "
                    f"Searchable entities: {', '.join(SEARCHABLE)}.",
                    entity,
                )
            ]
        )
    return found
