"""The ground floor: errors, clock and business dates, 和暦, yen, input normalisation, shared vocabularies
(kinds), the acting-user protocol. Imports no other esurety app.
"""
