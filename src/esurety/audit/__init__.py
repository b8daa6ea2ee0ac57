"""The append-only, hash-chained audit log (services.py writes, audit_verify checks) and actions.py, the one
table of audited actions with their Japanese labels; changes.py, the tail every service shares
(audited_change / audited_create: snapshot → save → one entry). Takes any user by id; knows no other
app's models.
"""
