# rule: views-do-not-import-sqlalchemy
# ruleid: views-do-not-import-sqlalchemy
from sqlalchemy import select

from deliberate.proposals import service


async def detail(request):
    # ruleid: views-do-not-import-sqlalchemy
    import sqlalchemy

    return await service.get(request, select, sqlalchemy)
