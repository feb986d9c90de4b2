"""The partners service's rules in plain Python: no broker, no database, no nameko.

One idea per module: ``legal`` (INN, KPP, OGRN, bank details), ``contacts`` (phones, emails,
websites), ``names`` (comparison keys and similarity of partner names), ``duplicates``
(ranking possible duplicates of a partner being registered), ``agreements`` (sales agreement
statuses and terms), ``access`` (row-level visibility). Every function raises
:class:`crm_kit.errors.ValidationError` naming the field for bad input.
"""
