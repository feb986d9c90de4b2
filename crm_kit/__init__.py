"""The only code services share: database and outbox/inbox, errors, validation, actor,
metrics and health, retries and dead letters, the ``crm`` command."""

import warnings

# eventlet announces its maintenance mode on import; nameko 2.x depends on it, and we know.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
