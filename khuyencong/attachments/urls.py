from django.urls import path

from khuyencong.attachments import views

app_name = "attachments"
urlpatterns = [
    path("upload/", views.upload, name="upload"),
    path("panel/", views.panel, name="panel"),
    path("<int:pk>/", views.download, name="download"),
    path("<int:pk>/v/<int:version>/", views.download, name="download_version"),
    path("<int:pk>/remove/", views.remove, name="remove"),
]
