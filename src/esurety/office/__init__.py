"""Portal of the surety's staff (back office): 審査, 締結, 変更, 解約, 一括取込, 送信メール, 監査ログ, API連携,
Webhook設定. audit_log.py and outbox_log.py decide which entries and mails staff may see.
"""
