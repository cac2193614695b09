# rule: services-never-commit


async def add_support(db, viewer, proposal):
    db.add(proposal)
    # ruleid: services-never-commit
    await db.commit()


def helper(session):
    # ruleid: services-never-commit
    session.commit()
