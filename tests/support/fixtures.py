"""Fixtures every test package shares (a pytest plugin: tests/conftest.py loads it).

- ``infra``: the PostgreSQL server and RabbitMQ vhost of this session (tests/support/platform.py);
  only tests that ask for it, directly or through a service fixture, touch either.
- ``call``: ``call(actor).<service>.<method>(...)``, an RPC proxy acting as ``actor``. A package
  says which services its tests call by overriding ``called_services`` (a fixture that starts
  them); ``call`` starts those first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from crm_kit.actor import Actor
from tests.support.platform import ActorProxies, Infrastructure, wait_until_stopped


@pytest.fixture(scope="session")
def infra() -> Iterator[Infrastructure]:
    infrastructure = Infrastructure()
    yield infrastructure
    wait_until_stopped()
    infrastructure.close()


@pytest.fixture
def called_services() -> Any:
    """The services a package's tests reach through ``call``; a package's conftest overrides it
    with a fixture that asks for their process fixtures."""
    return None


@pytest.fixture
def call(infra: Infrastructure, called_services: Any) -> Iterator[Callable[[Actor | None], Any]]:
    """``call(actor).<service>.<method>(...)``: an RPC proxy carrying ``actor`` (signed, as the
    gateway sends it), one per actor for the whole test."""
    proxies = ActorProxies(infra.amqp_uri)
    yield proxies
    proxies.close()
