from django.urls import path

from motcua.accounts.access import staff_only

from . import dashboard, digitisation, finance, payments, petitions, signatures, views

app_name = "backoffice"
# Every back-office page is for staff accounts: a citizen's e-ID session gets 403 (accounts.access).
urlpatterns = staff_only(
    [
        path("", views.home, name="home"),
        path("hang-doi/<slug:slug>/", views.queue, name="queue"),
        path("hang-doi/<slug:slug>/xlsx/", views.queue_export, name="queue_export"),
        path("tiep-nhan/", views.intake, name="intake"),
        path("so-theo-doi/", views.logbook, name="logbook"),
        path("ho-so/<str:code>/", views.dossier_detail, name="dossier"),
        path("ho-so/<str:code>/thao-tac/<str:action>/", views.dossier_action, name="dossier_action"),
        path("ho-so/<str:code>/tep/<int:upload_id>/", views.dossier_upload, name="dossier_upload"),
        path(
            "ho-so/<str:code>/so-hoa/<int:component_pk>/",
            digitisation.dossier_digitise,
            name="dossier_digitise",
        ),
        path(
            "ho-so/<str:code>/so-ket-qua/",
            digitisation.dossier_result_validity,
            name="dossier_result_validity",
        ),
        path("ho-so/<str:code>/ky-so/<int:pk>/ky-lai/", signatures.signature_retry, name="signature_retry"),
        path("ho-so/<str:code>/ky-so/<int:pk>/tai-ve/", signatures.signed_document, name="signed_document"),
        path("ho-so/<str:code>/thu-tien-mat/", payments.dossier_cash, name="dossier_cash"),
        path("ho-so/<str:code>/bien-lai/<int:receipt_id>/", payments.dossier_receipt, name="dossier_receipt"),
        path("sao-ke/", payments.bank_lines, name="bank_lines"),
        path("sao-ke/<int:line_id>/gan/", payments.bank_line_assign_view, name="bank_line_assign"),
        path("ho-so/<str:code>/nghia-vu-tai-chinh/", finance.dossier_obligations, name="dossier_obligations"),
        path("ho-so/<str:code>/hoan-tra/<int:payment_id>/", finance.dossier_refund, name="dossier_refund"),
        path("doi-soat/", finance.reconciliation, name="reconciliation"),
        path("doi-soat/xlsx/", finance.reconciliation_xlsx, name="reconciliation_xlsx"),
        path("thong-ke/", dashboard.dashboard, name="dashboard"),
        path("phan-anh-kien-nghi/", petitions.petition_queue, name="petitions"),
        path("phan-anh-kien-nghi/<str:code>/", petitions.petition_detail, name="petition"),
    ]
)
