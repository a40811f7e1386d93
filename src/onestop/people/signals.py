"""A password change or a deactivation ends all of the account's API tokens, however it is
made: the account's own page, the administrator's site, `onestop changepassword`, or any
code that saves the account. (Its page sessions end by Django's own rules: a session holds
a hash of the password, and an inactive account is logged out.)"""

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from onestop.observability import actor_var
from onestop.people import tokens

# Set on the account by pre_save, read by post_save: why its tokens end after this save.
ENDS_TOKENS = "_ends_tokens_because"


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="people.note_credentials")
def note_credential_change(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # a login's last_login, a name: one query fewer
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password:
        setattr(instance, ENDS_TOKENS, "password-changed")
    elif before["is_active"] and not instance.is_active:
        setattr(instance, ENDS_TOKENS, "deactivated")


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="people.end_tokens")
def end_tokens(sender, instance, created=False, raw=False, **kwargs):
    why = instance.__dict__.pop(ENDS_TOKENS, None)
    if why is not None and not raw:
        caller = actor_var.get()
        tokens.revoke_all(user=instance, why=why, actor=None if caller == "-" else caller)
