"""Every part's models, imported so that Alembic and the model/migration check see one metadata."""

from deliberate.accounts import models as accounts_models  # noqa: F401
from deliberate.audit import AuditEvent  # noqa: F401
from deliberate.cycles import models as cycles_models  # noqa: F401
from deliberate.db import Base
from deliberate.deliberation import models as deliberation_models  # noqa: F401
from deliberate.notifications import Notification  # noqa: F401
from deliberate.proposals import models as proposals_models  # noqa: F401
from deliberate.ratelimit import RateEvent  # noqa: F401
from deliberate.specs import models as specs_models  # noqa: F401
from deliberate.voting import models as voting_models  # noqa: F401

metadata = Base.metadata
