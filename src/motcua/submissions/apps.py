from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "motcua.submissions"
    label = "submissions"
    verbose_name = "Nộp hồ sơ trực tuyến"

    def ready(self) -> None:
        from motcua.dossiers.printing import form_extra_register

        from .printing import form_01_answers

        form_extra_register(form_01_answers)  # the e-form's answers flagged print_on_receipt, on Mẫu 01
