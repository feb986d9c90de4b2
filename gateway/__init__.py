"""The gRPC gateway: the platform's public API for web and mobile frontends."""

from gateway import generated  # noqa: F401  (puts the generated crm.v1 stubs on the path first)
