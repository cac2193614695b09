from starlette.routing import Route

from deliberate.proposals import views

routes = [
    Route("/cycles/{cycle_id:uuid}/proposals", views.proposal_list, name="proposals:list"),
    Route(
        "/cycles/{cycle_id:uuid}/proposals/new",
        views.proposal_new,
        methods=["GET", "POST"],
        name="proposals:new",
    ),
    Route("/cycles/{cycle_id:uuid}/shortlist", views.shortlist, name="proposals:shortlist"),
    Route("/proposals/{proposal_id:uuid}", views.proposal_detail, name="proposals:detail"),
    Route(
        "/proposals/{proposal_id:uuid}/edit",
        views.proposal_edit,
        methods=["GET", "POST"],
        name="proposals:edit",
    ),
    Route(
        "/proposals/{proposal_id:uuid}/withdraw",
        views.proposal_withdraw,
        methods=["POST"],
        name="proposals:withdraw",
    ),
    Route(
        "/proposals/{proposal_id:uuid}/support",
        views.proposal_support,
        methods=["POST"],
        name="proposals:support",
    ),
    Route(
        "/proposals/{proposal_id:uuid}/answer",
        views.proposal_answer,
        methods=["POST"],
        name="proposals:answer",
    ),
    Route(
        "/proposals/{proposal_id:uuid}/merge",
        views.proposal_merge,
        methods=["POST"],
        name="proposals:merge",
    ),
]
