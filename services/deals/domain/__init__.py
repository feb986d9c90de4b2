"""The deals service's rules in plain Python: no broker, no database, no nameko.

One idea per module: ``process`` (sales processes, their stages and preconditions, moving a
deal between stages), ``status`` (in progress, won, lost, postponed), ``money`` (amounts,
offer lines and totals, invoice balances and payments), ``offers`` (offer statuses and
validity), ``forecast`` (weighted pipeline and its periods), ``stuck`` (deals over their
stage's time limit). Bad input is refused with :class:`crm_kit.errors.ValidationError` naming
the field; a state that forbids an action with :class:`crm_kit.errors.PreconditionFailed`
whose details name what is missing.
"""
