"""Django's own messages that the project translates itself.

Django's Vietnamese catalogue lacks some messages (Django 6.1's blank choice label) and words
others awkwardly ("Nhập một số tổng thể." for a whole number). The project catalogue is read
before Django's, so a msgid listed here and translated in ``locale/vi`` wins. ``gettext_noop``
only marks the strings for ``makemessages``; Django itself translates them at run time.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

DJANGO_MESSAGES = (
    gettext_noop("- Select an option -"),
    gettext_noop("Enter a whole number."),
    gettext_noop("Enter a number."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid date."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    gettext_noop("This field is required."),
)
