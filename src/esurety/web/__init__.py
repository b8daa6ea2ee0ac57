"""What every portal shares: the base layout, home page, error pages, Content-Security-Policy middleware,
/healthz, shared form fields, the 「Webhook設定」 page (webhooks.py) and the orderer's change history.
Below the portals, above the domain.
"""
