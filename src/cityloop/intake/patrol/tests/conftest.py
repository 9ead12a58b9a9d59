from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from cityloop.access.actors import Actor
from cityloop.intake.patrol.services import assign_grid
from cityloop.org.models import Role, StaffProfile
from cityloop.testing import PASSWORD, TinyCity, png_bytes

# inside the tiny city's first grid (建外街道) and second grid (朝外街道)
IN_MY_GRID = (39.93, 116.43)
IN_OTHER_STREET = (39.93, 116.53)


def photo(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def add_grid_worker(city: TinyCity, username: str = "gridworker", street: int = 0) -> Any:
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    StaffProfile.objects.create(
        user=user, unit=city.street_offices[street], role=Role.GRID_WORKER, display_name="小赵"
    )
    city.users[username] = user
    return user


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    """What the services write (event reasons) is in the language active at the time: the
    tests read it in Chinese whatever a page test before them chose."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def worker(city: TinyCity) -> Actor:
    """A grid worker of 建外街道办事处 patrolling its grid."""
    add_grid_worker(city)
    assign_grid("gridworker", city.grids[0].code, actor=Actor.system())
    return city.actor("gridworker")
