import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_chinese():
    """The messages asserted here are the city's (Chinese): a page test run before may have
    left English active in this thread (the language middleware activates per request)."""
    with translation.override("zh-hans"):
        yield
