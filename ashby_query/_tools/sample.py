"""Sample data: a few hundred plausible records per searchable entity, always the same.

Made by a seeded generator, so every install has the same records without shipping a
data file: ``sample_records()["candidates"]`` is 300 candidates, today and tomorrow.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import uuid
from typing import Any

__all__ = ["sample_records"]

_FIRST = [
    "Ann",
    "Anna",
    "Annabel",
    "Aiko",
    "Amir",
    "Ben",
    "Bea",
    "Carlos",
    "Chen",
    "Dana",
    "Dmitri",
    "Elif",
    "Emma",
    "Farah",
    "Felix",
    "Grace",
    "Hugo",
    "Ines",
    "Ivan",
    "Jae",
    "Jonas",
    "Kavya",
    "Lena",
    "Liam",
    "Maya",
    "Mateo",
    "Nia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Sofia",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Xavier",
    "Yara",
    "Zoë",
]
_LAST = [
    "Smith",
    "Johnson",
    "Garcia",
    "Müller",
    "Tanaka",
    "Okafor",
    "Rossi",
    "Novak",
    "Kim",
    "Nguyen",
    "Silva",
    "Cohen",
    "Patel",
    "Andersson",
    "Dubois",
    "Kowalski",
    "O'Brien",
    "Haddad",
    "Ivanova",
    "Larsen",
]
_COMPANIES = [
    "Acme",
    "Initech",
    "Globex",
    "Stripe",
    "Hooli",
    "Umbrella",
    "Soylent",
    "Vandelay",
    "Wonka",
    "Cyberdyne",
]
_POSITIONS = [
    "Software Engineer",
    "Senior Software Engineer",
    "Staff Engineer",
    "Product Manager",
    "Designer",
    "Data Scientist",
    "Engineering Manager",
    "Recruiter",
    "Sales Lead",
    "Support Specialist",
]
_SCHOOLS = [
    "MIT",
    "Stanford",
    "ETH Zürich",
    "University of Tokyo",
    "IIT Bombay",
    "Sorbonne",
    "UCL",
    "TU Munich",
    "University of Lagos",
    "McGill",
]
_STATUSES = ["active"] * 5 + ["hired", "archived", "archived", "lead"]
_REASONS = ["Spam", "Not a fit", "Withdrew", "Position filled", "Salary expectations"]
_TITLES = _POSITIONS
_LOCATIONS = ["Berlin", "New York", "London", "Remote", "Tokyo", "São Paulo", "Toronto"]
_DEPARTMENTS = ["Engineering", "Product", "Design", "Sales", "Support", "People"]


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _when(rng: random.Random, start: dt.datetime, days: int) -> dt.datetime:
    return start + dt.timedelta(seconds=rng.randrange(days * 86400))


def _iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


@functools.cache
def _build() -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(20240101)
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    departments = [
        {
            "id": _id(rng),
            "name": n,
            "externalName": n,
            "isArchived": False,
            "parentId": None,
            "createdAt": _iso(start),
            "updatedAt": _iso(start),
            "extraData": None,
        }
        for n in _DEPARTMENTS
    ]
    locations = [
        {
            "id": _id(rng),
            "name": n,
            "externalName": n,
            "isArchived": False,
            "address": {"city": n},
            "isRemote": n == "Remote",
            "workplaceType": "Remote" if n == "Remote" else "OnSite",
            "parentLocationId": None,
            "type": "Location",
            "extraData": None,
        }
        for n in _LOCATIONS
    ]
    users: list[dict[str, Any]] = []
    for i in range(200):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        users.append(
            {
                "id": _id(rng),
                "firstName": first,
                "lastName": last,
                "email": f"{first.lower()}.{last.lower().replace(chr(39), '')}{i}@example.com",
                "globalRole": rng.choice(["Admin", "Recruiter", "Interviewer", "Hiring Manager"]),
                "isEnabled": rng.random() > 0.1,
                "updatedAt": _iso(_when(rng, start, 700)),
            }
        )
    jobs: list[dict[str, Any]] = []
    for _ in range(150):
        opened = _when(rng, start, 600)
        status = rng.choice(["Open", "Open", "Closed", "Draft", "Archived"])
        jobs.append(
            {
                "id": _id(rng),
                "title": rng.choice(_TITLES),
                "confidential": rng.random() < 0.1,
                "status": status,
                "employmentType": rng.choice(["FullTime", "PartTime", "Contract"]),
                "locationId": rng.choice(locations)["id"],
                "departmentId": rng.choice(departments)["id"],
                "createdAt": _iso(opened),
                "updatedAt": _iso(opened + dt.timedelta(days=3)),
                "openedAt": _iso(opened),
                "closedAt": _iso(opened + dt.timedelta(days=60)) if status == "Closed" else None,
            }
        )
    postings: list[dict[str, Any]] = []
    for job in jobs:
        for _ in range(rng.randint(1, 2)):
            loc = rng.choice(locations)
            postings.append(
                {
                    "id": _id(rng),
                    "title": job["title"],
                    "jobId": job["id"],
                    "departmentName": rng.choice(_DEPARTMENTS),
                    "locationName": loc["name"],
                    "workplaceType": loc["workplaceType"],
                    "employmentType": job["employmentType"],
                    "isListed": job["status"] == "Open" and rng.random() < 0.8,
                    "publishedDate": str(job["openedAt"])[:10],
                    "updatedAt": job["updatedAt"],
                }
            )
    candidates: list[dict[str, Any]] = []
    for i in range(300):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        created = _when(rng, start, 700)
        candidates.append(
            {
                "id": _id(rng),
                "name": f"{first} {last}",
                "company": rng.choice(_COMPANIES) if rng.random() > 0.1 else None,
                "position": rng.choice(_POSITIONS),
                "school": rng.choice(_SCHOOLS),
                "createdAt": _iso(created),
                "updatedAt": _iso(created + dt.timedelta(days=2)),
                "emailAddresses": [
                    {"value": f"{first.lower()}{i}@mail.example", "type": "Personal"}
                ],
                "tags": [],
                "timezone": rng.choice(["Europe/Berlin", "America/New_York", None]),
            }
        )
    applications: list[dict[str, Any]] = []
    for cand in candidates:
        for _ in range(rng.randint(0, 2)):
            status = rng.choice(_STATUSES)
            created = _when(rng, start, 700)
            job = rng.choice(jobs)
            applications.append(
                {
                    "id": _id(rng),
                    "status": status,
                    "archiveReason": rng.choice(_REASONS) if status == "archived" else None,
                    "createdAt": _iso(created),
                    "updatedAt": _iso(created + dt.timedelta(hours=rng.randint(1, 900))),
                    "candidate": {"id": cand["id"], "name": cand["name"]},
                    "job": {"id": job["id"], "title": job["title"]},
                }
            )
    sources = [
        {"id": _id(rng), "title": t, "isArchived": False, "sourceType": {"title": t}}
        for t in ["LinkedIn", "Referral", "Careers page", "Agency"]
    ]
    reasons = [
        {"id": _id(rng), "text": t, "reasonType": "RejectedByOrg", "isArchived": False}
        for t in _REASONS
    ]
    tags = [
        {"id": _id(rng), "title": t, "isArchived": False}
        for t in ["Silver medalist", "Referral", "Diversity", "Returner"]
    ]
    custom = [
        {
            "id": _id(rng),
            "title": t,
            "objectType": "Candidate",
            "isArchived": False,
            "isPrivate": False,
            "fieldType": "String",
        }
        for t in ["GitHub", "Visa status"]
    ]
    forms: list[dict[str, Any]] = [
        {
            "id": _id(rng),
            "organizationId": "org-1",
            "title": t,
            "isArchived": False,
            "isDefaultForm": t == "Standard",
            "formDefinition": {},
            "interviewId": None,
        }
        for t in ["Standard", "Technical"]
    ]
    return {
        "candidates": candidates,
        "applications": applications,
        "jobs": jobs,
        "departments": departments,
        "locations": locations,
        "users": users,
        "job_postings": postings,
        "sources": sources,
        "archive_reasons": reasons,
        "candidate_tags": tags,
        "custom_fields": custom,
        "feedback_form_definitions": forms,
    }


def sample_records() -> dict[str, list[dict[str, Any]]]:
    """Return a fresh copy of the bundled sample records: entity name to list of records.

    The same plausible records on every install (a seeded generator, no data file), for
    trying queries, examples and tests; ``ashby-query search ... --data sample`` uses them.

    >>> import ashby_query as aq
    >>> records = aq.sample_records()
    >>> len(records["candidates"])
    300
    >>> len(aq.evaluate('name like "Ann%"', records["candidates"], entity="candidates")) > 0
    True
    """
    return {k: [dict(r) for r in v] for k, v in _build().items()}
