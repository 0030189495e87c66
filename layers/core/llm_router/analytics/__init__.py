"""Analytics over the ledger's rollups: usage breakdowns (``usage``), recommendations
with estimated savings (``recommendations``), and the tenant scoping both share
(``service``)."""
