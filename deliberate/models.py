"""Every part's models, imported so that Alembic and the model/migration check see one metadata."""

from deliberate.accounts import models as accounts_models  # noqa: F401
from deliberate.audit import AuditEvent  # noqa: F401
from deliberate.db import Base

metadata = Base.metadata
