"""Run one service as its own process: ``python -m crm_ops.serve <service>``.

eventlet must patch the standard library before anything else is imported, so this module is
the process's entry point rather than a function inside the ``crm`` command (which never
patches: it also starts the grpc gateway, and grpcio and eventlet cannot share a process).
"""

import eventlet

import crm_kit  # noqa: F401  (quiets eventlet's deprecation banner before eventlet loads)

eventlet.monkey_patch()

import importlib  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from crm_kit import logs, trust  # noqa: E402
from crm_kit.config import ConfigError, env, env_float, nameko_config, redact  # noqa: E402
from crm_kit.db import Database  # noqa: E402
from crm_ops.preflight import Unreachable, check_broker, check_database  # noqa: E402
from crm_ops.registry import service_class  # noqa: E402


def _load(target: str) -> type:
    """A registered service by name, or any nameko service class as ``module:Class``."""
    if ":" not in target:
        return service_class(target)
    module_name, class_name = target.split(":", 1)
    try:
        return getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise LookupError(f"cannot load service class {target!r}: {exc}") from None


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m crm_ops.serve <service | module:Class>", file=sys.stderr)
        return 2
    target = argv[0]
    name = target.rsplit(":", 1)[-1] if ":" in target else target
    logs.configure(name, env("LOG_LEVEL", "INFO"))
    try:
        cls = _load(target)
        name = cls.name
        config = nameko_config(name)
        trust.internal_key()  # refuse to start without a key it may use (CRM_INTERNAL_KEY)
        check_broker(config["AMQP_URI"])
        if any(isinstance(value, Database) for value in vars(cls).values()):
            check_database(name)
    except (ConfigError, LookupError, Unreachable) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    runner = ServiceRunner(config)
    runner.add_service(cls)

    def stop_gracefully() -> None:
        # Workers in flight finish; if something hangs (a consumer waiting on the broker), the
        # container is killed after the grace period rather than lingering.
        try:
            with eventlet.Timeout(env_float("CRM_STOP_GRACE_S", 10.0)):
                runner.stop()
        except eventlet.Timeout:
            logging.getLogger(__name__).warning("%s did not stop in time; killing it", name)
            runner.kill()

    stopping: list[int] = []

    def shutdown(signum, _frame):
        # Ctrl-C reaches every process of the terminal's group, and `crm up` then sends SIGTERM
        # too: the second signal must not stop the runner again (nameko's timers cannot stop
        # twice, and the stop would hang until the grace period killed it).
        if stopping:
            logging.getLogger(__name__).info("%s is stopping already (signal %s)", name, signum)
            return
        stopping.append(signum)
        logging.getLogger(__name__).info("stopping %s (signal %s)", name, signum)
        eventlet.spawn_n(stop_gracefully)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    logging.getLogger(__name__).info("%s started on %s", name, redact(config["AMQP_URI"]))
    runner.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
