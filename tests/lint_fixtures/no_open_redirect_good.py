# rule: no-open-redirect
from starlette.responses import RedirectResponse

from deliberate import security
from deliberate.security import safe_next


async def checked(request):
    return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)


async def checked_through_the_module(request):
    form = await request.form()
    return RedirectResponse(security.safe_next(form.get("next"), "/"), status_code=303)


async def to_a_named_route(request):
    thread_id = request.query_params.get("thread")
    return RedirectResponse(request.url_for("threads:detail", thread_id=thread_id).path)
