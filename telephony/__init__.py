"""The PBX side of telephony: the call-event contract, a publisher and a simulator."""

from telephony.events import CALL_KINDS, DIRECTIONS, validate_call_event

__all__ = ["CALL_KINDS", "DIRECTIONS", "validate_call_event"]
