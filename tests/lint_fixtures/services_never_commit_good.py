# rule: services-never-commit


async def add_support(db, viewer, proposal):
    db.add(proposal)
    await db.flush()
    return proposal.id
