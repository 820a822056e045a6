"""Settings of the domain: the province, office hours, sandbox switches."""

from .env import env_str

# The province the installation serves, as a unit code (statistics-office code of the province).
MOTCUA_PROVINCE_CODE = env_str("MOTCUA_PROVINCE_CODE", "25")
MOTCUA_SITE_NAME = env_str("MOTCUA_SITE_NAME", "Hệ thống thông tin giải quyết thủ tục hành chính")
MOTCUA_PUBLIC_URL = env_str("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000")

# Office hours (DOMAIN.md §5): two periods a day, Asia/Ho_Chi_Minh.
MOTCUA_OFFICE_HOURS = env_str("MOTCUA_OFFICE_HOURS", "08:00-12:00,13:00-17:00")
MOTCUA_SAME_DAY_CUTOFF = env_str("MOTCUA_SAME_DAY_CUTOFF", "15:00")

# Dossiers and notifications (docs/dossiers.md): the default code template when no CodeFormat row applies,
# and the SMS channel plugin (``sandbox`` stores messages in the database).
MOTCUA_DOSSIER_CODE_TEMPLATE = env_str("MOTCUA_DOSSIER_CODE_TEMPLATE", "{agency_code}-{yymmdd}-{seq:04}")
MOTCUA_SMS_CHANNEL = env_str("MOTCUA_SMS_CHANNEL", "sandbox")

# Working calendar (docs/worktime.md): how often, in seconds, a process checks whether the calendar override
# table changed (writes through the worktime services refresh the writing process at once).
MOTCUA_CALENDAR_RECHECK_SECONDS = float(env_str("MOTCUA_CALENDAR_RECHECK_SECONDS", "2"))
