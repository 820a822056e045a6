"""The submission confirmation message, registered into the notification templates.

The notifications app has no template for the ``submit`` action; this adds ``dossier_submitted`` to its
``TEMPLATES`` table (to be moved into ``notifications/templates.py`` by its owner).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from motcua.notifications.templates import TEMPLATES, Template

TEMPLATES.setdefault(
    "dossier_submitted",
    Template(
        subject=_("Hồ sơ %(code)s đã được nộp trực tuyến"),
        body=_(
            "Kính gửi %(name)s,\n\nHồ sơ %(code)s (thủ tục: %(procedure)s) đã được nộp trực tuyến tới "
            "%(unit)s lúc %(submitted)s. Cán bộ sẽ kiểm tra và tiếp nhận hồ sơ; ông/bà sẽ nhận được thông "
            "báo khi hồ sơ được tiếp nhận.\nTheo dõi hồ sơ: %(lookup_url)s"
        ),
        sms=_("Ho so %(code)s da duoc nop truc tuyen. Theo doi: %(lookup_url)s"),
    ),
)
