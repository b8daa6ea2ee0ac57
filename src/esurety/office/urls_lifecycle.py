from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []  # queue, review, conclude, amend, cancel, key reissue, orderers
