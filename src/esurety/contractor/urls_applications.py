urlpatterns: list = []  # 保証申込 (STEP 1): form, drafts, status list
