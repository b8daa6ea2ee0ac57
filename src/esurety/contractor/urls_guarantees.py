urlpatterns: list = []  # 保証工事一覧, 電子証書, 認証キー, CSV, 保証料書類
