from django.urls import path, re_path

from . import tus, views

app_name = "files"

urlpatterns = [
    path("mine/", views.my_files, name="mine"),
    path("space/<int:space_id>/", views.space_files, name="space"),
    path("space/<int:space_id>/upload/", views.upload, name="upload"),
    path("space/<int:space_id>/folders/", views.create_folder, name="create_folder"),
    path("space/<int:space_id>/trash/", views.trash_page, name="trash"),
    path("folder/<int:folder_id>/", views.folder_page, name="folder"),
    path("file/<int:file_id>/", views.file_page, name="file"),
    path("file/<int:file_id>/download/", views.download, name="download_current"),
    path("file/<int:file_id>/v/<int:number>/download/", views.download, name="download"),
    path("file/<int:file_id>/v/<int:number>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("file/<int:file_id>/v/<int:number>/restore/", views.restore_version, name="restore_version"),
    path("file/<int:file_id>/versions/", views.new_version, name="new_version"),
    path("file/<int:file_id>/copy/", views.copy, name="copy"),
    path("file/<int:file_id>/status/", views.version_status, name="status"),
    re_path(r"^(?P<kind>file|folder)/(?P<item_id>[0-9]+)/rename/$", views.rename, name="rename"),
    re_path(r"^(?P<kind>file|folder)/(?P<item_id>[0-9]+)/move/$", views.move, name="move"),
    re_path(r"^(?P<kind>file|folder)/(?P<item_id>[0-9]+)/trash/$", views.trash, name="trash_item"),
    re_path(r"^(?P<kind>file|folder)/(?P<item_id>[0-9]+)/restore/$", views.restore, name="restore"),
    re_path(r"^(?P<kind>file|folder)/(?P<item_id>[0-9]+)/follow/$", views.follow, name="follow"),
    path("tus/", tus.collection, name="tus"),
    path("tus/<uuid:upload_id>", tus.resource, name="tus_upload"),
]
