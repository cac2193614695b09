from starlette.routing import Route

from deliberate.specs import views

C = "/cycles/{cycle_id:uuid}/specification"
K = "/clauses/{clause_id:uuid}"
A = "/amendments/{amendment_id:uuid}"

routes = [
    Route(C, views.document, name="specs:document"),
    # The stable, citable address of each version: it never changes once published.
    Route(C + "/v/{number:int}", views.version, name="specs:version"),
    Route(C + "/v/{number:int}.md", views.export_markdown, name="specs:export_md"),
    Route(C + "/v/{number:int}.json", views.export_json, name="specs:export_json"),
    Route(C + "/v/{number:int}.pdf", views.export_pdf, name="specs:export_pdf"),
    Route(C + "/versions", views.history, name="specs:history"),
    Route(C + "/compare", views.compare, name="specs:compare"),
    Route(C + "/endorse", views.endorse, methods=["POST"], name="specs:endorse"),
    Route(C + "/clauses/new", views.clause_new, methods=["GET", "POST"], name="specs:clause_new"),
    Route(K + "/edit", views.clause_edit, methods=["GET", "POST"], name="specs:clause_edit"),
    Route(K + "/remove", views.clause_remove, methods=["POST"], name="specs:clause_remove"),
    Route(K + "/amend", views.amend, methods=["GET", "POST"], name="specs:amend"),
    Route(K + "/origin", views.origin, name="specs:origin"),
    Route(K + "/delivery", views.delivery, name="specs:delivery"),
    Route(K + "/delivery", views.delivery_report, methods=["POST"], name="specs:report"),
    Route(K + "/rating", views.delivery_rate, methods=["POST"], name="specs:rate"),
    Route(A, views.amendment, name="specs:amendment"),
    Route(A + "/comments", views.amendment_comment, methods=["POST"], name="specs:comment"),
    Route(A + "/decide", views.amendment_decide, methods=["POST"], name="specs:decide"),
]
