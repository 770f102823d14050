from django.contrib import messages
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.utils.translation import gettext as _


@receiver(user_logged_out)
def tell_user_they_logged_out(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "_messages"):
        messages.info(request, _("You have been logged out."))
