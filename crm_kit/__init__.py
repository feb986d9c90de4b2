"""The only code services share: database and outbox/inbox, the models' base, row-level
access, payload fields and views, errors, validation, actor, metrics and health, retries and
dead letters. A leaf: it imports no application package (services, gateway, telephony,
crm_ops)."""

import warnings

# eventlet announces its maintenance mode on import; nameko 2.x depends on it, and we know.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
