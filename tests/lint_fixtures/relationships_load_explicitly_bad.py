# rule: relationships-load-explicitly
from sqlalchemy.orm import Mapped, relationship


class Cycle:
    # ruleid: relationships-load-explicitly
    groups: Mapped[list] = relationship(order_by="Group.position")
    # ruleid: relationships-load-explicitly
    schedule: Mapped[list] = relationship(lazy="select")
