"""The read side of 考核: what the staff page shows of an appeal's exclusion request."""

from __future__ import annotations

from cityloop.appeals.models import Appeal
from cityloop.evaluate.models import AssessmentExclusion


def exclusion_of(appeal: Appeal) -> AssessmentExclusion | None:
    """The appeal's request to be left out of the assessment, whatever its decision."""
    return AssessmentExclusion.objects.filter(appeal=appeal).first()
