"""The PBX side of telephony: a publisher and a simulator. The call-event contract they keep is
contracts/telephony.py."""
