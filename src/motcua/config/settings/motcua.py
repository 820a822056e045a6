"""Settings of the domain: the province, office hours, sandbox switches."""

from .env import env_str

# The province the installation serves, as a unit code (statistics-office code of the province).
MOTCUA_PROVINCE_CODE = env_str("MOTCUA_PROVINCE_CODE", "25")
MOTCUA_SITE_NAME = env_str("MOTCUA_SITE_NAME", "Hệ thống thông tin giải quyết thủ tục hành chính")
MOTCUA_PUBLIC_URL = env_str("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000")

# Office hours (DOMAIN.md §5): two periods a day, Asia/Ho_Chi_Minh.
MOTCUA_OFFICE_HOURS = env_str("MOTCUA_OFFICE_HOURS", "08:00-12:00,13:00-17:00")
MOTCUA_SAME_DAY_CUTOFF = env_str("MOTCUA_SAME_DAY_CUTOFF", "15:00")
