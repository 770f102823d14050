from django.urls import path

from khuyencong.adjustments import views

app_name = "adjustments"

urlpatterns = [
    path("", views.AwaitingView.as_view(), name="awaiting"),
    path("projects/<int:pk>/", views.ProjectAdjustmentsView.as_view(), name="project"),
    path("projects/<int:pk>/propose/", views.ProposeView.as_view(), name="propose"),
    path("<int:pk>/<slug:action>/", views.StepView.as_view(), name="step"),
]
