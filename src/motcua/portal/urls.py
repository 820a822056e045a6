from django.urls import path

from . import lookup, mfa, my_dossiers, petitions, signature_check, statistics, submission, views
from .data_store import draft_reuse, my_store, my_store_file

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure_detail"),
    path("thu-tuc/<str:code>/nop-truc-tuyen/", submission.submission_start, name="submission_start"),
    path("dang-nhap/", views.StaffLoginView.as_view(), name="login"),
    path("dang-xuat/", views.StaffLogoutView.as_view(), name="logout"),
    # The staff second factor (portal.mfa): the code after the password, and enrolment with a QR code.
    path("dang-nhap/xac-thuc/", mfa.mfa_verify, name="mfa_verify"),
    path("dang-nhap/thiet-lap-xac-thuc/", mfa.mfa_enrol, name="mfa_enrol"),
    path("tra-cuu/", lookup.lookup, name="lookup"),
    path("phan-anh-kien-nghi/", petitions.petition_public, name="petition_public"),
    path("phan-anh-kien-nghi/gui/", petitions.petition_new, name="petition_new"),
    path("phan-anh-kien-nghi/tra-cuu/", petitions.petition_track, name="petition_track"),
    path("phan-anh-kien-nghi/da-gui/<str:code>/", petitions.petition_sent, name="petition_sent"),
    path("xac-thuc-chu-ky/", signature_check.signature_check, name="signature_check"),
    # The e-form's address picker: the communes in force today of one province (JSON, public data).
    path("dia-ban/xa/", submission.unit_communes, name="unit_communes"),
    # Online submission: the draft, its files, the review and the confirmation.
    path("ho-so-cua-toi/nhap/<int:pk>/", submission.draft_edit, name="draft_edit"),
    path(
        "ho-so-cua-toi/nhap/<int:pk>/tai-len/<int:component_pk>/",
        submission.draft_upload,
        name="draft_upload",
    ),
    path(
        "ho-so-cua-toi/nhap/<int:pk>/xoa-tep/<int:upload_pk>/",
        submission.draft_upload_delete,
        name="draft_upload_delete",
    ),
    path("ho-so-cua-toi/nhap/<int:pk>/xem-lai/", submission.draft_review, name="draft_review"),
    path(
        "ho-so-cua-toi/nhap/<int:pk>/dung-lai/<int:component_pk>/",
        draft_reuse,
        name="draft_reuse",
    ),
    # The citizen's data store (documents and results of earlier dossiers).
    path("ho-so-cua-toi/kho-du-lieu/", my_store, name="my_store"),
    path("ho-so-cua-toi/kho-du-lieu/<int:pk>/", my_store_file, name="my_store_file"),
    # My dossiers.
    path("ho-so-cua-toi/", my_dossiers.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/du-lieu-cua-toi.json", my_dossiers.my_data, name="my_data"),
    path("ho-so-cua-toi/tep/<int:pk>/", my_dossiers.my_upload, name="my_upload"),
    path("ho-so-cua-toi/<str:code>/", my_dossiers.my_dossier_detail, name="my_dossier"),
    path("ho-so-cua-toi/<str:code>/da-nop/", submission.submission_done, name="submission_done"),
    path(
        "ho-so-cua-toi/<str:code>/bo-sung/", my_dossiers.my_dossier_supplement, name="my_dossier_supplement"
    ),
    path(
        "ho-so-cua-toi/<str:code>/bo-sung/xong/",
        my_dossiers.my_dossier_supplement_done,
        name="my_dossier_supplement_done",
    ),
    path("ho-so-cua-toi/<str:code>/rut-ho-so/", my_dossiers.my_dossier_withdraw, name="my_dossier_withdraw"),
    path("ho-so-cua-toi/<str:code>/thanh-toan/", my_dossiers.my_dossier_pay, name="my_dossier_pay"),
    path(
        "ho-so-cua-toi/<str:code>/bien-lai-thu-phi/<int:receipt_id>/",
        my_dossiers.my_dossier_payment_receipt,
        name="my_dossier_payment_receipt",
    ),
    path(
        "ho-so-cua-toi/<str:code>/thanh-toan/vietqr/",
        my_dossiers.my_dossier_pay_vietqr,
        name="my_dossier_pay_vietqr",
    ),
    path("ho-so-cua-toi/<str:code>/danh-gia/", my_dossiers.my_dossier_rate, name="my_dossier_rate"),
    path("ho-so-cua-toi/<str:code>/bien-nhan.pdf", my_dossiers.my_dossier_receipt, name="my_dossier_receipt"),
    path("ho-so-cua-toi/<str:code>/ket-qua/", my_dossiers.my_dossier_result, name="my_dossier_result"),
    # Public statistics (docs/dashboards.md).
    path("thong-ke/", statistics.statistics, name="statistics"),
    path("thong-ke/xlsx/", statistics.statistics_xlsx, name="statistics_xlsx"),
    path("thong-ke/chi-so-766/", statistics.statistics_index, name="statistics_index"),
]
