"""``receive``: the officer receives the dossier with its checked checklist; the clock starts.

Also the checklist helpers counter intake uses (``checklist_rows``, ``catalog_row``; ``lifecycle`` re-exports
them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from motcua.catalog.constants import ComponentKind
from motcua.core.errors import ValidationFailed
from motcua.core.internals import cache_related, cached_related
from motcua.core.rows import insert_rows

from ..codes import dossier_code_issue
from ..constants import Action
from ..models import Dossier, DossierComponent
from .base import ActionSpec, Change, Params, calendar, invalid, limit

if TYPE_CHECKING:
    from motcua.catalog.models import Component


@dataclass(frozen=True)
class ReceiveParams(Params):
    # The checklist: items ``{"component": id | "name": ..., "kind", "count", "received", "note"}`` (checked
    # against the dossier's catalog in the effect), or rows counter intake built and checked already; None:
    # the checklist as it stands.
    components: list[Any] | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Self:
        items = raw.get("components")
        if items is not None and not isinstance(items, list):
            raise invalid("Danh sách thành phần hồ sơ không hợp lệ.", components=["Phải là danh sách."])
        return cls(components=items)


def checklist_rows(dossier: Dossier, items: list[Any]) -> list[DossierComponent]:
    """The whole checklist of ``dossier`` from ``items`` (unsaved rows); raises ``ValidationFailed`` if bad.

    Each item names a catalog component (``component`` id or ``name``) or an extra paper (``name``), with
    ``kind``, ``count``, ``received`` and ``note``; catalog components no item names are added, not received.
    Every required component must be received.
    """
    if not isinstance(items, list):
        raise invalid("Danh sách thành phần hồ sơ không hợp lệ.", components=["Phải là danh sách."])
    catalog = {c.pk: c for c in dossier.procedure_version.components.all()}  # prefetched at intake
    by_name = {c.name: c for c in catalog.values()}
    rows = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise invalid("Thành phần hồ sơ không hợp lệ.", components={i: ["Phải là đối tượng."]})
        raw = item.get("component")
        component = catalog.get(raw) if isinstance(raw, int) else None
        if raw is None and item.get("name"):  # a catalog component named as such
            component = by_name.get(str(item["name"]).strip())
        elif raw is not None and component is None:
            raise invalid(
                "Thành phần hồ sơ không thuộc thủ tục.", components={i: ["Không thuộc thủ tục này."]}
            )
        name = (item.get("name") or (component.name if component else "")).strip()
        if not name:
            raise invalid("Thành phần hồ sơ cần có tên.", components={i: ["Cần có tên."]})
        kind = item.get("kind") or (component.kind if component else ComponentKind.ORIGINAL)
        if kind not in ComponentKind.values:
            raise invalid("Loại bản không hợp lệ.", components={i: [f"Loại bản {kind} không hợp lệ."]})
        try:
            count = int(item.get("count", component.count if component else 1))
        except (TypeError, ValueError):
            count = -1
        if count < 0 or count > 1000:
            raise invalid("Số lượng không hợp lệ.", components={i: ["Số lượng không hợp lệ."]})
        rows.append(
            DossierComponent(
                dossier=dossier,
                component=component,
                name=name[:500],
                kind=kind,
                count=count,
                required=component.required if component else bool(item.get("required", False)),
                received=bool(item.get("received", True)),
                note=str(item.get("note", ""))[:500],
            )
        )
    given = {row.component_id for row in rows if row.component_id}
    rows += [catalog_row(dossier, c) for c in catalog.values() if c.pk not in given]
    _refuse_missing(rows)
    return rows


def catalog_row(dossier: Dossier, component: Component) -> DossierComponent:
    """The checklist row of catalog ``component`` for ``dossier``, as the catalog has it, not received."""
    return DossierComponent(
        dossier=dossier,
        component=component,
        name=component.name,
        kind=component.kind,
        count=component.count,
        required=component.required,
    )


def _refuse_missing(rows: Iterable[DossierComponent]) -> None:
    """Refuse a receipt while a required component of the checklist ``rows`` is not received."""
    missing = [r.name for r in rows if r.required and not r.received]
    if missing:
        raise ValidationFailed(
            "Hồ sơ chưa đủ thành phần bắt buộc, không thể tiếp nhận.",
            code="components_missing",
            details={"missing": missing},
        )


def _components(change: Change[ReceiveParams]) -> None:
    """Set the checklist when ``components`` is given (rows updated in place, ``_components_merge``); every
    required component must be received."""
    dossier = change.dossier
    items = change.params.components
    if items is None:  # the checklist as it stands (in hand, in primary-key order, or read)
        known = cached_related(dossier, "components")
        _refuse_missing(known if known is not None else dossier.components.filter(received=False))
        return
    built = isinstance(items, list) and bool(items) and all(isinstance(i, DossierComponent) for i in items)
    rows = items if built else checklist_rows(dossier, items)  # built: counter intake checked them already
    change.data["components"] = [{"name": r.name, "received": r.received} for r in rows]
    if dossier.pk is None:  # a new dossier (counter intake) has no rows yet
        change.after_save.append(lambda: _components_write(dossier, rows))
    else:
        _components_merge(dossier, rows)


def _components_write(dossier: Dossier, rows: list[DossierComponent]) -> None:
    for row in rows:  # built before the dossier had its id
        row.dossier = dossier
    insert_rows(rows)  # bulk_create's statement without the ORM's cost (every counter intake; ADR 0009)
    cache_related(dossier, components=rows)


_ROW_FIELDS = ["component", "name", "kind", "count", "required", "received", "note"]


def _components_merge(dossier: Dossier, rows: list[DossierComponent]) -> None:
    """Write the checklist ``rows`` of a saved dossier over its current rows, in place.

    Each new row takes the place (the primary key) of the current row of the same catalog component, or of an
    extra paper of the same name, so the applicant's uploads stay attached to it (issue 11: deleting and
    recreating the rows cleared ``Upload.component``). A current row no new row takes is deleted, unless a file
    hangs on it: then it stays as it is. Nothing an applicant uploaded ever loses its place.
    """
    current = list(dossier.components.order_by("pk"))
    by_component: dict[int, DossierComponent] = {}
    by_name: dict[str, list[DossierComponent]] = {}
    for old in current:
        if old.component_id is not None:
            by_component.setdefault(old.component_id, old)
        else:
            by_name.setdefault(old.name, []).append(old)
    taken: set[int] = set()
    for row in rows:
        if row.component_id is not None:
            match = by_component.get(row.component_id)
        else:
            match = next((o for o in by_name.get(row.name, []) if o.pk not in taken), None)
        if match is not None and match.pk not in taken:
            row.pk = match.pk
            taken.add(match.pk)
    kept, added = [r for r in rows if r.pk is not None], [r for r in rows if r.pk is None]
    left = [old.pk for old in current if old.pk not in taken]
    if left:
        with_files = set(
            DossierComponent.objects.filter(pk__in=left, uploads__isnull=False).values_list("pk", flat=True)
        )
        DossierComponent.objects.filter(pk__in=[pk for pk in left if pk not in with_files]).delete()
        kept += [old for old in current if old.pk in with_files]
    if kept:
        DossierComponent.objects.bulk_update([r for r in kept if r.pk in taken], _ROW_FIELDS)
    DossierComponent.objects.bulk_create(added)
    cache_related(dossier, components=sorted(kept + added, key=lambda r: r.pk))


def effect(change: Change[ReceiveParams]) -> None:
    _components(change)
    dossier, now = change.dossier, change.now
    if not dossier.code:
        change.set(code=dossier_code_issue(unit=dossier.unit, at=now))
    value, unit = limit(dossier)
    due = calendar().due(now, value, unit)
    change.set(received_at=now, due_at=due, statutory_due_at=due)
    change.event.update(due_at=due, budget_minutes=calendar().office_minutes_between(now, due))


ACTION = ActionSpec(action=Action.RECEIVE, params=ReceiveParams, effect=effect, notify="dossier_received")
