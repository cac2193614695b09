# rule: no-formatted-sql
from sqlalchemy import text


async def search(db, term, table):
    # ruleid: no-formatted-sql
    await db.execute(text(f"SELECT * FROM proposals WHERE title = '{term}'"))
    # ruleid: no-formatted-sql
    await db.execute(text("SELECT * FROM %s" % table))
    # ruleid: no-formatted-sql
    await db.execute(text("SELECT * FROM {}".format(table)))
    # ruleid: no-formatted-sql
    await db.execute(text("SELECT * FROM proposals WHERE title = '" + term + "'"))
    # ruleid: no-formatted-sql
    await db.exec_driver_sql(f"DELETE FROM {table}")


async def raw(connection, name):
    # ruleid: no-formatted-sql
    return await connection.fetchval(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
