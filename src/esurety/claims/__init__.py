"""The end of a guarantee (issue 14): 完成, the orderer's claim (保証債務の履行請求), payout and refunds.

A domain app beside guarantees and advances: it imports them (and parties, audit, notifications,
webhooks) and nothing above. Models: models.py; pure rules: rules.py; the data in force on a day
(claim terms, refund rule, price-cut ratio): terms.py; writes: services (package); scoped reads:
selectors.py; the 保証金 of a claim line by line: computation.py.
"""
