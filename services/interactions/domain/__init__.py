"""The interactions service's rules in plain Python: no broker, no database, no nameko.

One idea per module: ``kinds`` (meeting, planned interaction, phone call, email and the fields
each needs; subjects and participants), ``status`` (planned, in progress, done, postponed,
cancelled and the moves between them), ``schedule`` (calendar ranges, overdue planned
interactions, reminders due, forgotten clients). Bad input is refused with
:class:`crm_kit.errors.ValidationError` naming the field; a state that forbids an action with
:class:`crm_kit.errors.PreconditionFailed`.
"""
