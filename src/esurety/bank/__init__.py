"""The deposit bank's portal (/bank/, 前払金払出サービス): a bank's desk sees the withdrawal requests
for the advance accounts it holds (its branch's only, for a branch user), pays or returns each,
exports the list as CSV; the bank's 管理者 invites its people and sets up webhooks.

A portal: it reads through advances.selectors and writes through advances.services and
accounts.services.bank_users; it imports no other portal.
"""
