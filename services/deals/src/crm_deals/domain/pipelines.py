"""Pipelines and their ordered stages: the board every deal lives on.

A pipeline always keeps exactly one won stage, exactly one lost stage and at least one open stage, so
any deal can be won, lost or worked on. An archived pipeline is read-only. Pipelines record no domain
events: deal events carry the pipeline and stage values their subscribers need, and no other service
keeps a pipeline read model.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any
from uuid import UUID

from crm_shared.domain import Aggregate
from crm_shared.errors import Conflict, InvalidInput
from crm_shared.ids import new_id
from crm_shared.text_keys import NameTaken, casefold_key


class StageKind(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


@dataclass(frozen=True)
class Stage:
    id: UUID
    name: str
    position: int
    probability: int
    kind: StageKind


@dataclass(frozen=True)
class StageSpec:
    """A stage asked for, before it has an id."""

    name: str
    probability: int
    kind: StageKind = StageKind.OPEN


@dataclass(frozen=True)
class PipelineSettings:
    proposal_stage_id: UUID | None = None  # where `QuoteSent` moves a deal
    win_when_order_confirmed: bool = False
    is_renewal_pipeline: bool = False
    title_date_prefix: bool = False  # titles start with YYYY/MM/DD
    is_cold_leads_pipeline: bool = False  # where a deal lost with potential waits for its recontact date


SETTING_NAMES = frozenset(f for f in PipelineSettings.__dataclass_fields__)
EDITABLE = frozenset({"name", "currency", "team"})
STAGE_EDITABLE = frozenset({"name", "probability", "kind"})


@dataclass(eq=False, kw_only=True)
class Pipeline(Aggregate):
    id: UUID
    name: str
    currency: str
    stages: tuple[Stage, ...]
    team: str | None = None
    archived: bool = False
    is_default: bool = False
    settings: PipelineSettings = field(default_factory=PipelineSettings)

    @classmethod
    def create(
        cls,
        *,
        name: str,
        currency: str,
        stages: Sequence[StageSpec],
        team: str | None = None,
        proposal_stage: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> "Pipeline":
        """`proposal_stage` names one of `stages`, which have no ids yet."""
        made = tuple(_new_stage(spec, position) for position, spec in enumerate(stages))
        wanted = None if proposal_stage is None else casefold_key(proposal_stage)
        proposal = next((s.id for s in made if casefold_key(s.name) == wanted), None)
        if proposal_stage is not None and proposal is None:
            raise InvalidInput("proposal_stage", f"no stage named {proposal_stage!r}")
        extra = dict(settings or {}) | {"proposal_stage_id": proposal}
        pipeline = cls(id=new_id(), name=name, currency=currency, stages=made, team=team)
        pipeline.settings = _settings(pipeline.settings, extra)
        pipeline.check_rules()
        return pipeline

    @property
    def ordered(self) -> tuple[Stage, ...]:
        return tuple(sorted(self.stages, key=lambda s: s.position))

    @property
    def first_open_stage(self) -> Stage:
        return next(s for s in self.ordered if s.kind is StageKind.OPEN)

    def stage(self, stage_id: UUID) -> Stage:
        try:
            return next(s for s in self.stages if s.id == stage_id)
        except StopIteration:
            raise InvalidInput("stage_id", f"stage {stage_id} is not in pipeline {self.name}") from None

    def stage_of_kind(self, kind: StageKind) -> Stage:
        try:
            return next(s for s in self.stages if s.kind is kind)
        except StopIteration:
            raise Conflict(f"pipeline {self.name} has no {kind} stage", code="pipeline_incomplete") from None

    def update(self, changes: Mapping[str, Any]) -> bool:
        """Name, currency, team and settings; True when something changed."""
        self._writable()
        unknown = set(changes) - EDITABLE - {"settings"}
        if unknown:
            raise InvalidInput(sorted(unknown)[0], "not a changeable field of a pipeline")
        before = (self.name, self.currency, self.team, self.settings)
        settings = _settings(self.settings, changes.get("settings") or {})
        _check(changes.get("name", self.name), self.stages, settings)
        for name in EDITABLE & set(changes):
            setattr(self, name, changes[name])
        self.settings = settings
        return before != (self.name, self.currency, self.team, self.settings)

    def add_stage(self, spec: StageSpec, *, position: int | None = None) -> Stage:
        """Inserted before `position` (default: before the won and lost stages, after the open ones)."""
        self._writable()
        ordered = list(self.ordered)
        if position is None:
            position = sum(1 for s in ordered if s.kind is StageKind.OPEN)
        stage = _new_stage(spec, 0)
        self._check_stage_name_free(stage.name)
        ordered.insert(max(0, min(position, len(ordered))), stage)
        self._set_order(ordered)
        return self.stage(stage.id)

    def update_stage(self, stage_id: UUID, changes: Mapping[str, Any]) -> Stage:
        self._writable()
        current = self.stage(stage_id)
        if set(changes) - STAGE_EDITABLE:
            raise InvalidInput(sorted(set(changes) - STAGE_EDITABLE)[0], "not a changeable field of a stage")
        if "name" in changes:
            changes = dict(changes) | {"name": str(changes["name"]).strip()}
            self._check_stage_name_free(changes["name"], besides=stage_id)
        if "kind" in changes:
            changes = dict(changes) | {"kind": StageKind(changes["kind"])}
        updated = replace(current, **changes)
        self._set_order(updated if s.id == stage_id else s for s in self.ordered)
        return updated

    def reorder(self, stage_ids: Sequence[UUID]) -> None:
        self._writable()
        if Counter(stage_ids) != Counter(s.id for s in self.stages):
            raise InvalidInput("stage_ids", "give every stage of the pipeline exactly once")
        self._set_order([self.stage(i) for i in stage_ids])

    def remove_stage(self, stage_id: UUID) -> Stage:
        """Deals in the stage must have been moved by the caller (the deals are not in this aggregate)."""
        self._writable()
        removed = self.stage(stage_id)
        settings = self.settings
        if settings.proposal_stage_id == stage_id:
            settings = replace(settings, proposal_stage_id=None)
        self._set_order((s for s in self.ordered if s.id != stage_id), settings)
        return removed

    def archive(self) -> None:
        self._writable()
        if self.is_default:
            raise Conflict("the default pipeline receives converted leads", code="pipeline_default")
        self.archived = True

    def check_rules(self) -> None:
        _check(self.name, self.stages, self.settings)

    def check_writable(self) -> None:
        self._writable()

    def _check_stage_name_free(self, name: str, *, besides: UUID | None = None) -> None:
        """Stage names are unique within a pipeline by `casefold_key` (so "Négociation" is "NÉGOCIATION")."""
        key = casefold_key(name)
        clash = next((s for s in self.stages if s.id != besides and casefold_key(s.name) == key), None)
        if clash is not None:
            detail = f"pipeline {self.name} already has a stage named {clash.name!r}"
            raise NameTaken("name", detail, "stage_name_taken")

    def _writable(self) -> None:
        if self.archived:
            raise Conflict(f"pipeline {self.name} is archived (read-only)", code="pipeline_archived")

    def _set_order(self, ordered: Iterable[Stage], settings: PipelineSettings | None = None) -> None:
        """Validates the new state before taking it: a refused change leaves the pipeline as it was."""
        stages = tuple(replace(s, position=i) for i, s in enumerate(ordered))
        settings = settings or self.settings
        _check(self.name, stages, settings)
        self.stages, self.settings = stages, settings


def _new_stage(spec: StageSpec, position: int) -> Stage:
    return Stage(new_id(), spec.name.strip(), position, spec.probability, StageKind(spec.kind))


def _settings(current: PipelineSettings, changes: Mapping[str, Any]) -> PipelineSettings:
    unknown = set(changes) - SETTING_NAMES
    if unknown:
        raise InvalidInput(f"settings.{sorted(unknown)[0]}", "not a pipeline setting")
    return replace(current, **changes)


def _check(name: str, stages: Sequence[Stage], settings: PipelineSettings) -> None:
    if not name.strip():
        raise InvalidInput("name", "a pipeline needs a name")
    _check_stages(stages)
    proposal = next((s for s in stages if s.id == settings.proposal_stage_id), None)
    if settings.proposal_stage_id is not None and (proposal is None or proposal.kind is not StageKind.OPEN):
        raise InvalidInput(
            "settings.proposal_stage_id", "the proposal stage must be an open stage of the pipeline"
        )


def _check_stages(stages: Sequence[Stage]) -> None:
    kinds = Counter(s.kind for s in stages)
    if kinds[StageKind.WON] != 1 or kinds[StageKind.LOST] != 1 or kinds[StageKind.OPEN] < 1:
        raise InvalidInput("stages", "a pipeline needs exactly one won, one lost and at least one open stage")
    names = Counter(casefold_key(s.name) for s in stages)
    if any(not s.name for s in stages) or max(names.values()) > 1:
        raise InvalidInput("stages", "stage names must be given and distinct within a pipeline")
    if any(not 0 <= s.probability <= 100 for s in stages):
        raise InvalidInput("stages", "a stage's probability is between 0 and 100")
