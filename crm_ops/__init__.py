"""Operating the platform: the ``crm`` command, the process runner, the service registry, the
RabbitMQ topology and the migrations runner.

This package knows every service (it imports them by name from ``services/``); crm_kit, the
library each service uses, knows none of them.
"""

import crm_kit  # noqa: F401  (quiets eventlet's deprecation banner before eventlet loads)
