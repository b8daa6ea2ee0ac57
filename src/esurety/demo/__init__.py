"""Demonstration data (`demo_seed`, only with ESURETY_DEMO=1) and the demo's mailbox pages."""
