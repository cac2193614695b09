from starlette.routing import Route

from deliberate.api import views

V = "/api/v1"
C = V + "/cycles/{cycle_id:uuid}"

routes = [
    Route("/api/openapi.json", views.openapi_document, name="api:openapi"),
    Route(V + "/cycles", views.cycles, name="api:cycles"),
    Route(C, views.cycle, name="api:cycle"),
    Route(C + "/proposals", views.proposals, name="api:proposals"),
    Route(C + "/results", views.results, name="api:results"),
    Route(C + "/specification", views.specification, name="api:specification"),
    Route(
        C + "/specification/versions/{number:int}",
        views.specification_version,
        name="api:specification_version",
    ),
]
