"""``python -m gateway``: run the gRPC gateway until SIGTERM or SIGINT."""

from gateway.server import main

raise SystemExit(main())
