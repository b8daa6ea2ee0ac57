"""Base classes for the Django admin pages of the domain apps.

django-stubs types the admin classes as generics (ModelAdmin[Guarantee]) but
Django's runtime classes are not subscriptable, and django-stubs-ext (which
would patch them) is a development-only dependency. These aliases are
subscriptable at runtime and precise under mypy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model
from django.http import HttpRequest

M = TypeVar("M", bound=Model)
P = TypeVar("P", bound=Model)

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline
    UserAdmin = DjangoUserAdmin
else:

    class _Subscriptable:
        def __class_getitem__(cls, item: Any) -> type:
            return cls

    class ModelAdmin(_Subscriptable, admin.ModelAdmin):
        pass

    class TabularInline(_Subscriptable, admin.TabularInline):
        pass

    class UserAdmin(_Subscriptable, DjangoUserAdmin):
        pass


class ReadOnlyAdmin(ModelAdmin[M]):
    """View-only: these rows change only through services (or never, once written)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


class ReadOnlyTabularInline(TabularInline[M, P]):
    # Django passes the parent object here, not the inline's own row.
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
