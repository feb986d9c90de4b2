"""Stubs generated from proto/ by ``python -m gateway.protogen``; never edit them by hand.

protoc writes imports as ``from crm.v1 import common_pb2``, so this folder goes on sys.path:
import ``gateway.generated`` first, then ``from crm.v1 import partners_pb2``.
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.append(_HERE)
