"""Who gets a new case: the account's CSM when known, else the next member of the team's rotation."""

from collections.abc import Sequence
from dataclasses import dataclass

from crm_cases.domain.case_values import AssignmentRule


@dataclass(frozen=True)
class Assignment:
    assignee_id: str | None
    rule: AssignmentRule | None


NOBODY = Assignment(None, None)


def next_in_rotation(members: Sequence[str], last: str | None) -> str | None:
    """The member after `last` in the team's order, wrapping around; the first when `last` left."""
    if not members:
        return None
    if last not in members:
        return members[0]
    return members[(members.index(last) + 1) % len(members)]


def choose_assignee(*, account_csm: str | None, rotation_next: str | None) -> Assignment:
    if account_csm:
        return Assignment(account_csm, AssignmentRule.ACCOUNT_CSM)
    if rotation_next:
        return Assignment(rotation_next, AssignmentRule.ROUND_ROBIN)
    return NOBODY
