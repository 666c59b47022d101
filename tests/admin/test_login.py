"""Finding 4: /admin/ had its own, differently branded login form, and a logged-in collector
who followed a link there met it too. The admin uses the product's login page and branding;
a user without admin access gets the product's 403 page."""

import pytest
from django.test import Client

from tests.admin.conftest import PASSWORD, logged_in

pytestmark = pytest.mark.django_db


def test_a_visitor_is_sent_to_the_products_login_page(db):
    response = Client().get("/admin/auth/user/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/auth/user/"
    response = Client().get("/admin/login/?next=/admin/compliance/")
    assert response["Location"] == "/login/?next=/admin/compliance/"
    assert Client().get("/admin/login/")["Location"] == "/login/?next=/admin/"


def test_logging_in_on_the_product_page_leads_back_to_the_admin(role_user):
    role_user("administrator")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/login/?next=/admin/", {"username": "administrator",
                                                     "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Administration" in page.content.decode()


def test_a_collector_gets_the_products_403_page_not_a_login_form(role_user):
    client = logged_in(role_user("collector"))
    for url in ("/admin/", "/admin/login/?next=/admin/", "/admin/portfolio/cardholder/"):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 403, url
        assert 'id="forbidden"' in html and "brand-mark" in html, url
        assert 'name="password"' not in html, url


def test_the_admin_speaks_both_languages(role_user):
    user = role_user("administrator")
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(user)
    html = chinese.get("/admin/").content.decode()
    assert "管理后台" in html and "Arrears 催收管理 · 管理后台" in html
    assert "返回 Arrears" in html
    english = logged_in(user).get("/admin/").content.decode()
    assert "Arrears 催收管理 · administration" in english and "Back to Arrears" in english
    assert "Django" not in english
