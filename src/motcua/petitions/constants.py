"""Petitions and feedback (phản ánh, kiến nghị): subjects, states and limits (docs/petitions.md)."""

from __future__ import annotations

from django.db import models


class Subject(models.TextChoices):
    DOSSIER = "dossier", "Hồ sơ"
    UNIT = "unit", "Cơ quan, đơn vị"
    PROCEDURE = "procedure", "Thủ tục hành chính"


class PetitionStatus(models.TextChoices):
    OPEN = "open", "Đang xử lý"
    ANSWERED = "answered", "Đã trả lời"


TITLE_MAX = 200
CONTENT_MAX = 4000
ANSWER_MAX = 4000
NAME_MAX = 200
# At most this many petitions per sender address (IP) or contact per hour (petitions.services.petition_submit).
THROTTLE_PER_HOUR = 5
DEFAULT_ANSWER_DAYS = 10
ANSWER_ROLES = frozenset({"officer", "leader", "specialist"})  # organisations.constants.Role values
