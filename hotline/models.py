"""Every package's models, imported in one place so the metadata is complete (Alembic, tests)."""

from __future__ import annotations

import callbacks.models  # noqa: F401
import config.demo
import config.logins
import config.privacy
import config.spool  # noqa: F401
import dispatch.models  # noqa: F401
import hotline.training.models
import hotline.voice.models
import hotline.web_form.models  # noqa: F401
import providers.models  # noqa: F401
import sms.models  # noqa: F401
from config.db import Base

metadata = Base.metadata
