"""The OpenAPI 3.1 document of the open-data API, written by hand: every endpoint and every
response schema. The tests validate every response against it."""

from __future__ import annotations

from typing import Any

_TEXT = {
    "type": "object",
    "required": ["en", "cy"],
    "properties": {"en": {"type": "string"}, "cy": {"type": "string"}},
    "additionalProperties": False,
}
_UUID = {"type": "string", "format": "uuid"}
_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_STAGES = ["draft", "proposals", "deliberation", "voting", "specification", "published", "closed"]

SCHEMAS: dict[str, Any] = {
    "Bilingual": _TEXT,
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}},
    },
    "Cycle": {
        "type": "object",
        "required": ["id", "title", "summary", "stage", "service_area", "budget", "organisation",
                     "stage_changed_at", "links"],
        "properties": {
            "id": _UUID,
            "title": {"$ref": "#/components/schemas/Bilingual"},
            "summary": {"$ref": "#/components/schemas/Bilingual"},
            "stage": {"type": "string", "enum": _STAGES},
            "service_area": {"type": "string"},
            "budget": {"type": "integer", "minimum": 0},
            "organisation": {
                "type": "object",
                "required": ["slug", "name"],
                "properties": {
                    "slug": {"type": "string"},
                    "name": {"$ref": "#/components/schemas/Bilingual"},
                },
            },
            "stage_changed_at": _TIME,
            "links": {
                "type": "object",
                "required": ["self", "html", "proposals", "results", "specification"],
                "properties": {
                    "self": {"type": "string"},
                    "html": {"type": "string"},
                    "proposals": {"type": "string"},
                    "results": {"type": ["string", "null"]},
                    "specification": {"type": ["string", "null"]},
                },
            },
        },
        "additionalProperties": False,
    },
    "CycleList": {
        "type": "object",
        "required": ["data"],
        "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Cycle"}}},
    },
    "Proposal": {
        "type": "object",
        "required": ["id", "cycle_id", "title", "body", "language", "category", "status",
                     "answer", "answer_reason", "support_count", "estimated_cost",
                     "merged_into_id", "created_at"],
        "properties": {
            "id": _UUID,
            "cycle_id": _UUID,
            "title": {"type": "string"},
            "body": {"type": "string"},
            "language": {"type": "string", "enum": ["en", "cy"]},
            "category": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": ["open", "withdrawn", "merged"]},
            "answer": {
                "type": ["string", "null"],
                "enum": ["under_consideration", "taken_forward", "not_taken_forward", None],
            },
            "answer_reason": {"type": ["string", "null"]},
            "support_count": {"type": "integer", "minimum": 0},
            "estimated_cost": {"type": ["integer", "null"]},
            "merged_into_id": {"type": ["string", "null"], "format": "uuid"},
            "created_at": _TIME,
        },
        "additionalProperties": False,
    },
    "ProposalPage": {
        "type": "object",
        "required": ["data", "next"],
        "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Proposal"}},
            "next": {"type": ["string", "null"], "description": "The next page's address."},
        },
    },
    "OptionResult": {
        "type": "object",
        "required": ["option_id", "position", "proposal_id", "title", "rank", "selected",
                     "score", "cost"],
        "properties": {
            "option_id": _UUID,
            "position": {"type": "integer", "minimum": 1},
            "proposal_id": _UUID,
            "title": {"type": "string"},
            "rank": {"type": ["integer", "null"], "minimum": 1},
            "selected": {"type": "boolean"},
            "score": {"type": ["number", "string", "null"]},
            "cost": {"type": ["integer", "null"]},
        },
        "additionalProperties": False,
    },
    "Results": {
        "type": "object",
        "required": ["cycle_id", "method", "ballots_counted", "computed_at", "options"],
        "properties": {
            "cycle_id": _UUID,
            "method": {"type": "string"},
            "ballots_counted": {"type": "integer", "minimum": 0},
            "computed_at": _TIME,
            "options": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/OptionResult"},
            },
        },
        "additionalProperties": False,
    },
    "Clause": {
        "type": "object",
        "required": ["id", "number", "text", "proposals", "threads", "results", "delivery"],
        "properties": {
            "id": _UUID,
            "number": {"type": "string"},
            "text": {"$ref": "#/components/schemas/Bilingual"},
            "proposals": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "language"],
                    "properties": {
                        "id": _UUID,
                        "title": {"type": "string"},
                        "language": {"type": "string"},
                    },
                },
            },
            "threads": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "summary_id", "summary_version"],
                    "properties": {
                        "id": _UUID,
                        "title": {"type": "string"},
                        "summary_id": {"type": ["string", "null"], "format": "uuid"},
                        "summary_version": {"type": ["integer", "null"]},
                    },
                },
            },
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["option_id", "proposal_id", "rank", "selected"],
                    "properties": {
                        "option_id": _UUID,
                        "proposal_id": _UUID,
                        "rank": {"type": ["integer", "null"]},
                        "selected": {"type": "boolean"},
                    },
                },
            },
            "delivery": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/DeliveryUpdate"},
            },
        },
    },
    "DeliveryUpdate": {
        "type": "object",
        "required": ["status", "note", "evidence_url", "reported_on"],
        "properties": {
            "status": {
                "type": "string",
                "enum": ["planned", "in_progress", "delivered", "at_risk", "not_delivered"],
            },
            "note": {"type": "string"},
            "evidence_url": {"type": ["string", "null"]},
            "reported_on": {"type": "string", "format": "date"},
        },
        "additionalProperties": False,
    },
    "Specification": {
        "type": "object",
        "required": ["specification_id", "cycle_id", "version", "url", "published_at",
                     "title", "sections"],
        "properties": {
            "specification_id": _UUID,
            "cycle_id": _UUID,
            "version": {"type": "integer", "minimum": 1},
            "url": {"type": "string"},
            "published_at": _NULLABLE_TIME,
            "title": {"$ref": "#/components/schemas/Bilingual"},
            "sections": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["key", "title", "clauses"],
                    "properties": {
                        "key": {"type": "string"},
                        "title": {"$ref": "#/components/schemas/Bilingual"},
                        "clauses": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Clause"},
                        },
                    },
                },
            },
        },
    },
}  # fmt: skip


def _ok(schema: str, description: str, *, etag: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "headers": {
            "Cache-Control": {
                "description": "public, max-age=60",
                "schema": {"type": "string"},
            }
        },
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if etag:
        response["headers"]["ETag"] = {
            "description": "Changes only when delivery is reported; send If-None-Match.",
            "schema": {"type": "string"},
        }
    return response


_NOT_FOUND = {
    "description": "No such thing, or not public (yet).",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_CYCLE_ID = {
    "name": "cycle_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
}


def document(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Deliberate open data",
            "version": "1.0.0",
            "description": (
                "Read-only public data: commissioning cycles, their proposals, the vote results "
                "once voting has closed, and published specifications with the golden thread "
                "from each clause back to proposals, panel threads and the vote. Nothing "
                "private is published: no e-mail addresses or names, no drafts, no private "
                "threads. GET only; no sign-in."
            ),
            "license": {"name": "Open Government Licence v3.0",
                        "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"},
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": {
            "/api/v1/cycles": {
                "get": {
                    "operationId": "listCycles",
                    "summary": "Every public cycle (not drafts), most recently changed first.",
                    "responses": {"200": _ok("CycleList", "The cycles.")},
                }
            },
            "/api/v1/cycles/{cycle_id}": {
                "get": {
                    "operationId": "getCycle",
                    "parameters": [_CYCLE_ID],
                    "responses": {"200": _ok("Cycle", "The cycle."), "404": _NOT_FOUND},
                }
            },
            "/api/v1/cycles/{cycle_id}/proposals": {
                "get": {
                    "operationId": "listProposals",
                    "summary": "A cycle's proposals, oldest first, a page at a time (keyset).",
                    "parameters": [
                        _CYCLE_ID,
                        {"name": "limit", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 200,
                                    "default": 50}},
                        {"name": "after", "in": "query", "required": False,
                         "description": "The cursor from the previous page's `next`.",
                         "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": _ok("ProposalPage", "A page of proposals."),
                        "404": _NOT_FOUND,
                    },
                }
            },
            "/api/v1/cycles/{cycle_id}/results": {
                "get": {
                    "operationId": "getResults",
                    "summary": "The stored vote result, once voting has closed.",
                    "parameters": [_CYCLE_ID],
                    "responses": {"200": _ok("Results", "The result."), "404": _NOT_FOUND},
                }
            },
            "/api/v1/cycles/{cycle_id}/specification": {
                "get": {
                    "operationId": "getSpecification",
                    "summary": "The published specification, with its golden-thread links and "
                    "delivery updates.",
                    "parameters": [_CYCLE_ID],
                    "responses": {
                        "200": _ok("Specification", "The published version.", etag=True),
                        "304": {"description": "Not modified since the ETag sent."},
                        "404": _NOT_FOUND,
                    },
                }
            },
            "/api/v1/cycles/{cycle_id}/specification/versions/{number}": {
                "get": {
                    "operationId": "getSpecificationVersion",
                    "summary": "A published version by number (its stable address).",
                    "parameters": [
                        _CYCLE_ID,
                        {"name": "number", "in": "path", "required": True,
                         "schema": {"type": "integer", "minimum": 1}},
                    ],
                    "responses": {
                        "200": _ok("Specification", "The published version.", etag=True),
                        "304": {"description": "Not modified since the ETag sent."},
                        "404": _NOT_FOUND,
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }  # fmt: skip
