"""Vote stage routes: ballot set-up, ballots, receipts, results, open data and the bulletin."""

from starlette.routing import Route

from deliberate.voting import views

C = "/cycles/{cycle_id:uuid}"

routes = [
    Route(f"{C}/ballot", views.definition, methods=["GET", "POST"], name="voting:definition"),
    Route(f"{C}/ballot/eligible", views.eligible_upload, methods=["POST"], name="voting:eligible"),
    Route(f"{C}/ballot/check", views.check, methods=["POST"], name="voting:check"),
    Route(f"{C}/vote", views.vote, methods=["GET", "POST"], name="voting:vote"),
    Route(f"{C}/vote/group", views.declare_group, methods=["POST"], name="voting:group"),
    Route(f"{C}/vote/review", views.review, methods=["POST"], name="voting:review"),
    Route(f"{C}/vote/cast", views.cast, methods=["POST"], name="voting:cast"),
    Route(f"{C}/vote/receipt", views.receipt, name="voting:receipt"),
    Route(f"{C}/results", views.results, name="voting:results"),
    Route(f"{C}/results/ballots.pb", views.ballots_pb, name="voting:ballots_pb"),
    Route(f"{C}/results/ballots.soi", views.ballots_preflib, name="voting:ballots_preflib"),
    Route(f"{C}/results/ballots.csv", views.ballots_csv, name="voting:ballots_csv"),
    Route(f"{C}/bulletin.json", views.bulletin_json, name="voting:bulletin"),
    Route(f"{C}/bulletin/check", views.bulletin_check, name="voting:bulletin_check"),
]
