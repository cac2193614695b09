from starlette.routing import Route

from deliberate.accounts import views

routes = [
    Route("/signup", views.sign_up, methods=["GET", "POST"], name="accounts:signup"),
    Route("/signup/sent", views.sign_up_sent, name="accounts:signup_sent"),
    Route("/verify/{token}", views.verify, name="accounts:verify"),
    Route("/signin", views.sign_in, methods=["GET", "POST"], name="accounts:signin"),
    Route("/signout", views.sign_out, methods=["POST"], name="accounts:signout"),
    Route(
        "/password/forgot", views.forgot_password, methods=["GET", "POST"], name="accounts:forgot"
    ),
    Route(
        "/password/reset/{token}",
        views.reset_password,
        methods=["GET", "POST"],
        name="accounts:reset",
    ),
    Route("/account", views.profile, methods=["GET", "POST"], name="accounts:profile"),
    Route("/account/password", views.change_password, methods=["POST"], name="accounts:password"),
    Route(
        "/account/verify",
        views.resend_verification,
        methods=["POST"],
        name="accounts:resend_verification",
    ),
    Route("/account/sessions", views.sessions, name="accounts:sessions"),
    Route(
        "/account/sessions/end",
        views.end_sessions,
        methods=["POST"],
        name="accounts:end_sessions",
    ),
    Route("/account/data", views.data, name="accounts:data"),
    Route("/account/data.json", views.data_download, name="accounts:data_download"),
    Route(
        "/account/delete",
        views.delete_account,
        methods=["GET", "POST"],
        name="accounts:delete",
    ),
    Route("/account/deleted", views.account_deleted, name="accounts:deleted"),
    Route("/language", views.set_language, methods=["POST"], name="accounts:language"),
    Route("/auth/oidc/start", views.oidc_start, name="accounts:oidc_start"),
    Route("/auth/oidc/callback", views.oidc_callback, name="accounts:oidc_callback"),
    Route("/admin", views.admin_home, name="admin:index"),
    Route(
        "/admin/organisations",
        views.admin_create_organisation,
        methods=["POST"],
        name="admin:create_organisation",
    ),
    Route("/admin/people/{user_id}", views.admin_person, name="admin:person"),
    Route(
        "/admin/people/{user_id}/erase",
        views.admin_erase_person,
        methods=["POST"],
        name="admin:erase_person",
    ),
    Route(
        "/admin/roles/{action:str}",
        views.admin_change_role,
        methods=["POST"],
        name="admin:change_role",
    ),
    Route("/admin/audit", views.admin_audit, name="admin:audit"),
]
