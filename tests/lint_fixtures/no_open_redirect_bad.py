# rule: no-open-redirect
from starlette.responses import RedirectResponse


async def straight_from_the_query(request):
    # ruleid: no-open-redirect
    return RedirectResponse(request.query_params["next"], status_code=303)


async def through_get(request):
    # ruleid: no-open-redirect
    return RedirectResponse(request.query_params.get("next", "/"), status_code=303)


async def through_a_variable(request):
    target = request.query_params.get("next") or "/"
    # ruleid: no-open-redirect
    return RedirectResponse(target, status_code=303)


async def from_the_form(request):
    form = await request.form()
    # ruleid: no-open-redirect
    return RedirectResponse(form["next"], status_code=303)


async def from_a_header(request):
    # ruleid: no-open-redirect
    return RedirectResponse(f"{request.headers.get('referer')}", status_code=303)
