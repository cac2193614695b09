from starlette.routing import Route

from deliberate.deliberation import views

_C = "/cycles/{cycle_id:uuid}"

routes: list[Route] = [
    Route(f"{_C}/panel", views.panel_page, name="panel:page"),
    Route(f"{_C}/panel/configure", views.panel_configure, methods=["POST"], name="panel:configure"),
    Route(f"{_C}/panel/volunteer", views.panel_volunteer, methods=["POST"], name="panel:volunteer"),
    Route(f"{_C}/panel/withdraw", views.panel_withdraw, methods=["POST"], name="panel:withdraw"),
    Route(f"{_C}/panel/import", views.panel_import, methods=["POST"], name="panel:import"),
    Route(f"{_C}/panel/seed", views.panel_seed, methods=["POST"], name="panel:seed"),
    Route(f"{_C}/panel/draw", views.panel_draw, methods=["POST"], name="panel:draw"),
    Route(f"{_C}/panel/leave", views.panel_leave, methods=["POST"], name="panel:leave"),
    Route(f"{_C}/panel/invite", views.panel_invite, methods=["POST"], name="panel:invite"),
    Route(f"{_C}/panel/report.json", views.panel_report, name="panel:report"),
    Route(f"{_C}/threads", views.thread_list, name="threads:list"),
    Route(f"{_C}/threads/new", views.thread_create, methods=["POST"], name="threads:create"),
    Route(f"{_C}/flags", views.flags, name="threads:flags"),
    Route("/threads/{thread_id:uuid}", views.thread_detail, name="threads:detail"),
    Route("/threads/{thread_id:uuid}/events", views.thread_events, name="threads:events"),
    Route(
        "/threads/{thread_id:uuid}/posts", views.post_create, methods=["POST"], name="posts:create"
    ),
    Route(
        "/threads/{thread_id:uuid}/lock", views.thread_lock, methods=["POST"], name="threads:lock"
    ),
    Route(
        "/threads/{thread_id:uuid}/unlock",
        views.thread_lock,
        methods=["POST"],
        name="threads:unlock",
    ),
    Route(
        "/threads/{thread_id:uuid}/summary",
        views.thread_summary,
        methods=["GET", "POST"],
        name="threads:summary",
    ),
    Route(
        "/threads/{thread_id:uuid}/evidence",
        views.thread_evidence,
        methods=["POST"],
        name="threads:evidence",
    ),
    Route("/evidence/{evidence_id:uuid}", views.evidence_download, name="evidence:download"),
    Route("/posts/{post_id:int}/edit", views.post_edit, methods=["GET", "POST"], name="posts:edit"),
    Route("/posts/{post_id:int}/history", views.post_history, name="posts:history"),
    Route("/posts/{post_id:int}/react", views.post_react, methods=["POST"], name="posts:react"),
    Route("/posts/{post_id:int}/flag", views.post_flag, methods=["POST"], name="posts:flag"),
    Route("/posts/{post_id:int}/hide", views.post_hide, methods=["POST"], name="posts:hide"),
    Route("/posts/{post_id:int}/show", views.post_hide, methods=["POST"], name="posts:show"),
]
