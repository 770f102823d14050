from django.urls import path

from khuyencong.organisation import user_views as views

app_name = "users"
urlpatterns = [
    path("", views.UserListView.as_view(), name="user_list"),
    path("new/", views.UserCreateView.as_view(), name="user_add"),
    path("<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("<int:pk>/roles/new/", views.AssignmentCreateView.as_view(), name="assignment_add"),
    path("<int:pk>/roles/<int:assignment>/end/", views.EndAssignmentView.as_view(), name="assignment_end"),
    path("<int:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("<int:pk>/reactivate/", views.ReactivateUserView.as_view(), name="user_reactivate"),
    path("<int:pk>/deactivate/", views.DeactivateUserView.as_view(), name="user_deactivate"),
    path("<int:pk>/reset-password/", views.ResetPasswordView.as_view(), name="user_reset_password"),
]
