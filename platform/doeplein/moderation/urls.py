from django.urls import path

from . import views

app_name = "moderation"
urlpatterns = [
    path("spaces/<int:space_id>/reports/", views.reports, name="reports"),
    path("spaces/<int:space_id>/reports/<int:report_id>/resolve/", views.resolve, name="resolve"),
    path(
        "spaces/<int:space_id>/reports/<slug:source>/<int:report_id>/resolve/",
        views.resolve_other,
        name="resolve-other",
    ),
    path("spaces/<int:space_id>/sanctions/", views.sanctions, name="sanctions"),
    path("spaces/<int:space_id>/sanctions/<int:sanction_id>/lift/", views.lift, name="lift"),
    path("spaces/<int:space_id>/audit/", views.audit, name="audit"),
    path("spaces/<int:space_id>/word-filters/", views.word_filters, name="word-filters"),
]
