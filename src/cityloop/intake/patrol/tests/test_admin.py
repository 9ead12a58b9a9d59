"""The administrator gives a grid worker their grid in the admin; the grid must lie in the
worker's street office's area (the model's one rule, as assign_grid applies it)."""

from __future__ import annotations

from cityloop.intake.patrol.models import PatrolAssignment
from cityloop.intake.patrol.tests.conftest import add_grid_worker
from cityloop.testing import admin_form, admin_save

ADD = "/admin/patrol/patrolassignment/add/"


def test_the_admin_assigns_a_grid_inside_the_workers_street(city):
    worker = add_grid_worker(city)
    client = city.admin_client()
    refused = client.post(ADD, admin_form(client, ADD, worker=worker.pk, grid=city.grids[1].pk))
    assert refused.status_code == 200
    assert "不在建外街道办事处辖区内" in refused.content.decode()
    not_a_worker = admin_form(client, ADD, worker=city.users["handler1"].pk, grid=city.grids[0].pk)
    assert "不是网格员账号" in client.post(ADD, not_a_worker).content.decode()
    missing = client.post(ADD, admin_form(client, ADD, worker=worker.pk, grid=""))
    assert missing.status_code == 200  # the form says the grid is missing, no 500
    assert not PatrolAssignment.objects.exists()
    admin_save(client, ADD, worker=worker.pk, grid=city.grids[0].pk)
    assert PatrolAssignment.objects.get().grid == city.grids[0]
