"""Every audit action and its Japanese label: the one vocabulary of the history and audit pages.

The contractor's status history, the office's histories, the orderer's change history and the
audit log all read their labels here, so that one step is called the same everywhere. A new
audited action gets its line here (tests/audit/test_actions.py checks every action written in
src/ has one).
"""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    "application.create": "保証申込の作成",
    "application.update": "保証申込の修正",
    "application.submit": "保証申込の受付",
    "application.start_review": "審査開始",
    "application.approve": "承認",
    "application.reject": "否決",
    "application.confirm_payment": "入金確認",
    "application.conclude": "契約締結",
    "certificate.issue": "電子証書の発行",
    "certificate.receive": "発注者による受領（確認）",
    "guarantee.amend_amount": "金額の変更（変更証書の発行）",
    "guarantee.change_period": "工期の変更",
    "guarantee.cancel": "解約",
    "guarantee.expire": "保証期間満了",
    "guarantee.import": "一括取込による登録",
    "amendment_request.create": "変更申請の入力",
    "amendment_request.approve": "変更申請の承認",
    "amendment_request.reject": "変更申請の却下・取り下げ",
    "access_key.reveal": "認証キーの表示・お知らせPDFの取得（保証契約者）",
    "access_key.reissue": "認証キー再発行",
    "access_key.hand_over": "認証キーの受け渡し（自社システム・API）",
    "notice.dispatch": "認証キー等のお知らせの発注者への送信",
    "api_token.create": "APIトークンの発行",
    "api_token.revoke": "APIトークンの失効",
    "webhook.create": "Webhook送信先の登録",
    "webhook.deactivate": "Webhook送信先の無効化",
    "webhook.resend": "Webhookの再送",
    "import_batch.upload": "一括取込のアップロード",
    "import_batch.import": "一括取込の完了",
    "import_batch.reject": "一括取込のエラー",
    "outbox.retry": "メールの再送",
    "orderer.create": "発注者の登録",
    "orderer.update": "発注者の変更",
    "orderer.departments_update": "発注者の部署と通知先の変更",
    "deposit_bank.create": "預託金融機関の登録",
    "deposit_bank.branch_add": "預託金融機関の支店の追加",
    "deposit_bank.contract_add": "預託契約の登録",
    "premium_rate.create": "保証料率の登録",
    "user.create": "利用者の登録",
    "user.invite": "利用者の招待",
    "user.remove": "利用者の削除",
    "user.password_set": "パスワードの設定",
    "user.totp_enrol": "二要素認証の登録",
    "user.totp_reset": "二要素認証の解除",
    "usage_application.submit": "利用申込の受付",
    "usage_application.approve": "利用申込の承認",
    "usage_application.reject": "利用申込の否決",
    "verify.lockout": "不正アクセス警告（確認の制限）",
    # The advance money after the certificate (esurety.advances).
    "advance_account.open": "前払金専用口座の登録",
    "advance_account.stop": "前払金口座の払出停止",
    "advance_account.resume": "前払金口座の払出再開",
    "advance_account.close": "前払金口座の閉鎖",
    "advance_deposit.record": "前払金口座への入金",
    "use_statement.create": "前払金使途内訳明細書の作成",
    "use_statement.update": "前払金使途内訳明細書の修正",
    "use_statement.submit": "前払金使途内訳明細書の提出",
    "use_statement.review": "前払金使途内訳明細書の確認",
    "use_statement.accept": "前払金使途内訳明細書の承認",
    "use_statement.return": "前払金使途内訳明細書の差戻し",
    "use_statement.change": "使途変更",
    "use_statement.supersede": "前払金使途内訳明細書の旧版化（使途変更の承認）",
    "proof.attach": "支払先の確認書類の添付",
    "proof.remove": "支払先の確認書類の削除",
    "payee.create": "支払先の登録",
    "payee.update": "支払先の変更",
    "payee.remove": "支払先の削除",
    "withdrawal.request": "払出依頼",
    "withdrawal.pay": "払出（払出報告）",
    "withdrawal.return": "払出依頼の差戻し",
    # The end of a guarantee (esurety.claims).
    "guarantee.complete": "完成（保証の完了）",
    "guarantee.claim": "履行請求の受付（履行請求中）",
    "guarantee.claim_refused": "不支払の決定（請求前の状態へ）",
    "guarantee.pay_out": "保証金の支払（保証履行済）",
    "claim.file": "保証債務の履行請求",
    "claim.request_documents": "追加資料の依頼",
    "claim.add_documents": "資料の追加",
    "claim.assess": "履行請求の審査",
    "claim.decide": "支払・不支払の決定",
    "claim.pay": "保証金の支払",
    "premium_statement.refund": "保証料返還計算書の発行（解約）",
}


def action_label(action: str) -> str:
    """The Japanese label of ``action``; an unknown one as it is (never an empty cell)."""
    return ACTION_LABELS.get(action, action)
