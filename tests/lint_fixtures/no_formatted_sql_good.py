# rule: no-formatted-sql
from sqlalchemy import select, text

QUERY = text("SELECT * FROM proposals WHERE title = :term")


async def search(db, proposals, term):
    await db.execute(QUERY, {"term": term})
    await db.execute(select(proposals).where(proposals.c.title == term))


async def raw(connection, name):
    return await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
