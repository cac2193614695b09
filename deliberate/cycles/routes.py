from starlette.routing import Route

from deliberate.cycles import views

routes = [
    Route("/cycles", views.cycle_list, name="cycles:list"),
    Route("/cycles/new", views.cycle_new, methods=["GET", "POST"], name="cycles:new"),
    Route("/cycles/{cycle_id:uuid}", views.cycle_detail, name="cycles:detail"),
    Route(
        "/cycles/{cycle_id:uuid}/edit",
        views.cycle_edit,
        methods=["GET", "POST"],
        name="cycles:edit",
    ),
    Route("/cycles/{cycle_id:uuid}/move", views.cycle_move, methods=["POST"], name="cycles:move"),
    Route(
        "/cycles/{cycle_id:uuid}/extend", views.cycle_extend, methods=["POST"], name="cycles:extend"
    ),
    Route(
        "/cycles/{cycle_id:uuid}/follow", views.cycle_follow, methods=["POST"], name="cycles:follow"
    ),
    Route("/manage", views.manage, name="cycles:manage"),
    Route("/notifications", views.notification_list, name="notifications"),
    Route(
        "/notifications/read",
        views.notifications_read,
        methods=["POST"],
        name="notifications:read",
    ),
]
