"""What the gate announces for other apps to act on, so that the gate depends on none of them.

``location_unknown`` — nothing tells where the debtor is (no zone, no placeable address, no
usable phone): the gate answered with the hours lawful in every zone of the jurisdiction; an
app that finds people (the dialer's skip tracing) receives ``account`` and ``actor``.
"""

from django.dispatch import Signal

location_unknown = Signal()
