"""The second opinion as the dispatcher meets it (issue 14 §5), in a real Chromium on the
demo city: an appeal the fast model was unsure about waits in the dispatch queue with the
second stage's suggestion; the appeal page shows it too. The second stage here uses a
stand-in embedder (hashed characters): the real e5 would need the demo history embedded
first, which takes minutes; classify/tests/test_secondstage.py runs the real one."""

from __future__ import annotations

import zlib
from decimal import Decimal

import numpy as np
import pytest

from cityloop.access.actors import Actor
from cityloop.appeals.enums import Channel
from cityloop.appeals.selectors import training_history
from cityloop.classify.embeddings import DIMENSIONS
from cityloop.classify.models import UnderstandingSettings
from cityloop.classify.second_opinion import register_second_stage
from cityloop.classify.secondstage import RoutedScore, SecondStage, fit_embedding_lr
from cityloop.demo.generator import generate_demo_city
from cityloop.intake import second_stage
from cityloop.intake.services import AppealDraft, receive_appeal
from tests.browser.test_journeys import Session, browser  # noqa: F401 — the fixture

pytestmark = pytest.mark.browser


class HashedCharacters:
    name = "hashed-characters"

    def embed(self, texts):
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, text in enumerate(texts):
            for ch in text:
                out[i, zlib.crc32(ch.encode()) % DIMENSIONS] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_the_dispatcher_sees_the_second_opinion(live_server, browser, monkeypatch):  # noqa: F811
    generate_demo_city(seed=7, appeals=300, days=30, streets_per_district=1)
    texts, labels = training_history()
    embedder = HashedCharacters()
    fitted = fit_embedding_lr(embedder.embed(texts), labels)
    # every appeal counts as unsure here, so that the one below surely gets an opinion
    stage = SecondStage.from_lr(fitted, weight=0.5, threshold=1.01, encoder=embedder.name, share=1)
    register_second_stage(
        stage, RoutedScore(0, 0, 0, 0, 1.0), labels=labels, trained_on="demo", folds=5
    )
    # the machine classifies nothing by itself: the appeal waits for the dispatcher
    UnderstandingSettings.objects.filter(pk=UnderstandingSettings.current().pk).update(
        auto_dispatch_confidence=Decimal("0.99")
    )
    sent: list[int] = []
    monkeypatch.setattr(second_stage, "_enqueue", sent.append)
    appeal = receive_appeal(
        AppealDraft(
            channel=Channel.PHONE,
            title="",
            content="小区门口的路灯坏了好几天，晚上一片漆黑，老人出门容易摔倒",
        ),
        actor=Actor.system(),
    )
    assert sent == [appeal.pk]
    assert second_stage.run(appeal.pk, embedder=embedder) == "recorded"
    appeal.refresh_from_db()
    assert appeal.category_id is None
    dispatcher = Session(browser, live_server.url, "dispatcher")
    dispatcher.go("/queue/")
    row = dispatcher.page.locator(f"tr[data-code='{appeal.tracking_code}']")
    assert "第二阶段建议" in row.locator("[data-testid=second-opinion]").inner_text()
    row.scroll_into_view_if_needed()
    dispatcher.shot("queue-second-opinion")
    dispatcher.go(f"/appeals/{appeal.tracking_code}/")
    shown = dispatcher.page.locator("[data-testid=second-opinion]").inner_text()
    assert "第二阶段建议" in shown and "%" in shown
    dispatcher.shot("appeal-second-opinion")
    dispatcher.close()
