"""A generated appeal's title says what its text says, and belongs to its true category:
"自来水发黄" is never the title of a text about a burst pipe."""

from __future__ import annotations

import re
from datetime import date

from cityloop.appeals.models import Appeal
from cityloop.demo.generator import generate_demo_city
from cityloop.demo.text_profiles import PROFILES
from cityloop.demo.texts import title_for

TITLES = {" › ".join(p.path): set(p.titles) for p in PROFILES}


def _pairs(text: str) -> set[str]:
    text = re.sub(r"[^\u4e00-\u9fff]", "|", text)
    return {text[i : i + 2] for i in range(len(text) - 1) if "|" not in text[i : i + 2]}


def test_each_generated_title_matches_its_text_and_category(db):
    generate_demo_city(seed=11, appeals=200, days=30, streets_per_district=1, end=date(2026, 1, 31))
    appeals = Appeal.objects.select_related("demo_truth__category")
    assert appeals.count() >= 200
    for appeal in appeals:
        title = appeal.title.removeprefix("【紧急】")
        category = appeal.demo_truth.category.path
        assert title in TITLES[category], (appeal.title, category)
        shared = _pairs(title) & _pairs(appeal.content)
        assert shared, f"{appeal.title!r} says nothing of {appeal.content!r}"
        assert appeal.title.startswith("【紧急】") == appeal.demo_truth.is_emergency


def test_every_text_of_every_profile_has_a_title_of_its_own_words():
    for profile in PROFILES:
        for template in profile.contents + profile.emergency_contents:
            title = title_for(profile, template)
            assert _pairs(title) & _pairs(template), (profile.path, template, title)
