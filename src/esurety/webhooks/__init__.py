"""Signed webhooks to orderers' and sureties' own systems: endpoints (owned by a surety or an orderer, managed
by its administrator), the delivery outbox and its sender. Events come in as plain data (event, ids,
payload); what a guarantee's event says is decided in guarantees/events.py. Above parties, below guarantees.
"""
