"""Portal of the orderer (発注者), 保証確認サービス: verify a certificate by number and key, 受領済み一覧,
照合結果 PDF, 組織情報, API tokens and webhooks of the organisation. Its domain is the verification app.
"""
