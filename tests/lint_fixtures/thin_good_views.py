# rule: views-do-not-import-sqlalchemy
from deliberate.proposals import service
from deliberate.templating import render


async def detail(request):
    found = await service.get_proposal(request.state.db, int(request.path_params["id"]))
    return render(request, "proposals/detail.html", {"proposal": found})
