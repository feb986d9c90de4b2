"""Declare every consumer's queues and exchanges before any publisher runs.

Nameko drops an event published to an exchange with no bound queue, so ``crm topology`` (and
``crm up`` before it starts anything) declares, for every service that exists: its events
exchange, every event handler's durable queue bound to its source exchange, each handler
queue's retry (delay) queues, the service's dead-letter queue, and each batch consumer's
exchange, queue and retry queues (crm_kit.batch). Declaring is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from kombu import Connection, Exchange, Queue
from nameko.containers import ServiceContainer
from nameko.events import SERVICE_POOL, EventHandler
from nameko.rpc import RPC_QUEUE_TEMPLATE, Rpc
from nameko.standalone.events import get_event_exchange

from crm_kit import dead_letters
from crm_ops.registry import service_class, service_names


@dataclass(frozen=True)
class HandlerQueue:
    service: str
    source_service: str
    event_type: str
    method: str

    @property
    def name(self) -> str:
        # nameko's SERVICE_POOL naming, so its handlers consume exactly these queues.
        return f"evt-{self.source_service}-{self.event_type}--{self.service}.{self.method}"


def handler_queues(cls: type, config: dict) -> list[HandlerQueue]:
    container = ServiceContainer(cls, config)
    # In the order of the queue names: the entrypoints are a set, and the deploy files rendered
    # from these must not change with the interpreter's hash seed.
    return sorted((
        HandlerQueue(container.service_name, ep.source_service, ep.event_type, ep.method_name)
        for ep in container.entrypoints
        # Broadcast handlers get a queue of their own per running instance, made when it starts.
        if isinstance(ep, EventHandler) and ep.handler_type == SERVICE_POOL
    ), key=lambda queue: queue.name)


def batch_queues(cls: type, config: dict) -> list[str]:
    """The queues the service's batch consumers (crm_kit.batch) consume."""
    from crm_kit.batch import BatchConsumer

    return sorted(ep.queue_name for ep in ServiceContainer(cls, config).entrypoints if isinstance(ep, BatchConsumer))


@dataclass(frozen=True)
class ConsumedQueue:
    """A durable queue the service's replicas compete on: ``kind`` is rpc, event or batch."""

    name: str
    kind: str


def consumed_queues(cls: type, config: dict) -> list[ConsumedQueue]:
    """Every shared queue the service consumes: its RPC queue (``rpc-<service>``, nameko's), its
    event handlers' service-pool queues and its batch consumers' queues. Its backlog is what more
    replicas of the service work off (deploy: a KEDA trigger per queue)."""
    container = ServiceContainer(cls, config)
    queues = []
    if any(isinstance(ep, Rpc) for ep in container.entrypoints):
        queues.append(ConsumedQueue(RPC_QUEUE_TEMPLATE.format(container.service_name), "rpc"))
    queues.extend(ConsumedQueue(handler.name, "event") for handler in handler_queues(cls, config))
    queues.extend(ConsumedQueue(name, "batch") for name in batch_queues(cls, config))
    return queues


def batch_declarations(cls: type, config: dict) -> list[Exchange | Queue]:
    """The exchanges and queues of the service's batch consumers (crm_kit.batch)."""
    from crm_kit.batch import BatchConsumer

    container = ServiceContainer(cls, config)
    entities: list[Exchange | Queue] = []
    for ep in container.entrypoints:
        if isinstance(ep, BatchConsumer):
            entities.extend(ep.declarations())
    return entities


def declarations(config: dict, services: list[type] | None = None) -> list[Exchange | Queue]:
    """What to declare for ``services`` (service classes; default: every registered one)."""
    classes = services if services is not None else [service_class(name) for name in service_names()]
    entities: list[Exchange | Queue] = []
    for cls in classes:
        entities.append(get_event_exchange(cls.name, config))
        entities.append(dead_letters.dlq_queue(cls.name))
        for handler in handler_queues(cls, config):
            exchange = get_event_exchange(handler.source_service, config)
            entities.append(exchange)
            entities.append(
                Queue(handler.name, exchange=exchange, routing_key=handler.event_type, durable=True, auto_delete=False)
            )
            entities.extend(dead_letters.retry_queues(handler.name))
        entities.extend(batch_declarations(cls, config))
    return entities


def declare(config: dict, services: list[type] | None = None) -> list[str]:
    """Declare the topology; returns the names declared."""
    declared = []
    with Connection(config["AMQP_URI"], connect_timeout=5) as conn:
        channel = conn.channel()
        for entity in declarations(config, services):
            entity(channel).declare()
            declared.append(entity.name)
        channel.close()
    return declared
