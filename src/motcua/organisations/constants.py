from django.db import models


class Level(models.TextChoices):
    """Levels of the unit tree (DOMAIN.md §2)."""

    PROVINCE = "province", "Cấp tỉnh"
    DEPARTMENT = "department", "Sở, ban, ngành"
    DISTRICT = "district", "Cấp huyện"
    COMMUNE = "commune", "Cấp xã"
    CENTRE = "centre", "Trung tâm Phục vụ hành chính công"


class Role(models.TextChoices):
    """Roles staff hold in a unit."""

    OFFICER = "officer", "Cán bộ một cửa"
    SPECIALIST = "specialist", "Chuyên viên xử lý"
    LEADER = "leader", "Lãnh đạo"
    ADMINISTRATOR = "administrator", "Quản trị"
    STATISTICIAN = "statistician", "Thống kê"


# The level a unit counts under in the statistics (province / district / commune, DOMAIN.md §6).
REPORTING_LEVEL = {
    Level.PROVINCE: Level.PROVINCE,
    Level.DEPARTMENT: Level.PROVINCE,
    Level.CENTRE: Level.PROVINCE,
    Level.DISTRICT: Level.DISTRICT,
    Level.COMMUNE: Level.COMMUNE,
}
