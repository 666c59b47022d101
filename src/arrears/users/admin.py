"""Users, roles (groups) and API tokens in the admin, under the separation of duties of
docs/security.md ("Administration"):

- only a superuser grants or removes roles, superuser or staff status and permissions, and
  changes what a role may do; for anyone else those fields are read-only;
- an administrator creates users and changes their name, e-mail, activity and password, but
  never a superuser's, nor those of a user holding rights the administrator lacks;
- after every save ``privilege_change_check`` compares the stored privileges before and after
  and refuses (rolls back) a change the actor may not make, however the request was crafted.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext as _

from arrears.users.models import ApiToken
from arrears.users.services import (
    PRIVILEGE_FIELDS,
    may_grant_privileges,
    may_manage_user,
    privilege_change_check,
    privileges_of,
)
from arrears.users.tokens import TokenError, token_create, token_revoke

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        fields += ["last_login", "date_joined"]
        if not may_grant_privileges(request.user):
            fields += list(PRIVILEGE_FIELDS)
        return fields

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage_user(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_manage_user(request.user, obj))

    def save_form(self, request, form, change):
        obj = form.instance
        if not hasattr(obj, "_privileges_before"):
            stored = User.objects.filter(pk=obj.pk).first() if obj.pk else None
            obj._privileges_before = privileges_of(stored) if stored else privileges_of(User())
        return super().save_form(request, form, change)

    def save_related(self, request, form, formsets, change):
        """After the user and its groups are saved: refuse what the actor may not change."""
        super().save_related(request, form, formsets, change)
        user = form.instance
        privilege_change_check(actor=request.user, target=user,
                               before=user._privileges_before, after=privileges_of(user))

    @transaction.atomic
    def user_change_password(self, request, id, form_url=""):
        """The password form, in one transaction with its audit event."""
        return super().user_change_password(request, id, form_url)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """What a role may do is changed by a superuser only; others may read it."""

    def has_add_permission(self, request):
        return may_grant_privileges(request.user)

    def has_change_permission(self, request, obj=None):
        return may_grant_privileges(request.user)

    def has_delete_permission(self, request, obj=None):
        return may_grant_privileges(request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens for system users. Creating one shows the token once; a token is never edited,
    only revoked. Both go through ``arrears.api.services``, which write the audit events."""

    audit_saves_by_service = True
    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("prefix", "created_at", "last_used_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "created_at", "last_used_at", "revoked")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "name", "prefix", "created_at", "last_used_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A token acts as its user: offer only users the actor may manage."""
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(
                pk__in=[user.pk for user in User.objects.filter(is_active=True)
                        if may_manage_user(request.user, user)])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        """Revoking is the one change; it needs the right to delete tokens."""
        allowed = request.user.has_perm("users.delete_apitoken")
        return allowed and (obj is None or may_manage_user(request.user, obj.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_manage_user(request.user, obj.user))

    def save_model(self, request, obj, form, change):
        if not change:
            try:
                token, raw = token_create(username=obj.user.username, name=obj.name,
                                          actor=request.user)
            except TokenError as error:
                messages.error(request, str(error))
                return
            obj.pk, obj.prefix, obj.created_at = token.pk, token.prefix, token.created_at
            messages.warning(request, _("The token is %(raw)s — copy it now: it is stored only "
                                        "as a hash and cannot be shown again.") % {"raw": raw})
        elif obj.revoked and not ApiToken.objects.filter(pk=obj.pk, revoked=True).exists():
            token_revoke(prefix=obj.prefix, token_id=obj.pk, actor=request.user)
