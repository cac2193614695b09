# rule: relationships-load-explicitly
from sqlalchemy.orm import Mapped, relationship


class Cycle:
    groups: Mapped[list] = relationship(order_by="Group.position", lazy="raise")
    schedule: Mapped[list] = relationship(lazy="selectin")
