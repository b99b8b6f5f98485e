"""Filtering the credentials table by text, status, environment, integration and customer.

The match is computed for all rows in one list comprehension over pre-lowered search text;
filterAcceptsRow then only indexes a list, which keeps a keystroke on 10,000 rows fast."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from intsec_desktop.core.model import Status
from intsec_desktop.gui.models.credentials_model import CredentialsTableModel

_HAS_FILTER_CHANGE = hasattr(QSortFilterProxyModel, "endFilterChange")


@dataclass(frozen=True)
class CredentialQuery:
    text: str = ""
    statuses: frozenset[Status] = field(default_factory=frozenset)  # empty = any
    environment: str | None = None
    integration: str | None = None
    customer: str | None = None

    @property
    def is_empty(self) -> bool:
        return self == CredentialQuery()


class CredentialsFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._query = CredentialQuery()
        self._accepted: list[bool] = []
        self._revision = -1  # the source revision `_accepted` was computed for
        self._model: CredentialsTableModel | None = None
        # Dynamic filtering re-checks only the rows a dataChanged names; sorting is delegated
        # to the source (see sort), so the proxy's own sort column stays -1 and never runs.
        self.setDynamicSortFilter(True)

    @property
    def query(self) -> CredentialQuery:
        return self._query

    def set_query(self, query: CredentialQuery) -> None:
        if query == self._query:
            return
        previous, self._query = self._query, query
        if not _HAS_FILTER_CHANGE:  # PySide6 < 6.10 (pyproject allows 6.8)
            self._refresh(previous)
            self.invalidateRowsFilter()
            return
        # Qt 6.10 deprecated invalidateRowsFilter() for this begin/end pair.
        self.beginFilterChange()
        self._refresh(previous)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def setSourceModel(self, model: Any) -> None:
        if not isinstance(model, CredentialsTableModel):
            raise TypeError("CredentialsFilterProxy filters a CredentialsTableModel")
        self._model = model  # kept in Python: filterAcceptsRow must not cross into C++ per row
        self._revision = -1
        super().setSourceModel(model)

    def _source(self) -> CredentialsTableModel:
        if self._model is None:
            raise RuntimeError("no source model set")
        return self._model

    def _refresh(self, previous: CredentialQuery | None = None) -> None:
        source = self._source()
        # Typing one more character can only remove matches: when the text grew at its end, the
        # rest of the query is unchanged and no row changed, only last pass's matches are tested.
        narrowing = (
            previous is not None
            and self._revision == source.revision
            and self._query.text.startswith(previous.text)
            and replace(self._query, text="") == replace(previous, text="")
        )
        self._accepted = self._compute(source, self._accepted if narrowing else None)
        self._revision = source.revision

    def _compute(self, source: CredentialsTableModel, within: list[bool] | None) -> list[bool]:
        q = self._query
        listings, texts = source.listings(), source.search_texts()
        if q.is_empty:
            return [True] * len(listings)
        words = q.text.casefold().split()
        if words and not (q.statuses or q.environment or q.integration or q.customer):
            # Typing in the filter box: plain substring tests, no per-row attribute walk.
            if len(words) == 1:
                (word,) = words
                if within is not None:
                    return [ok and word in text for ok, text in zip(within, texts, strict=True)]
                return [word in text for text in texts]
            if within is not None:
                return [
                    ok and all(w in text for w in words)
                    for ok, text in zip(within, texts, strict=True)
                ]
            return [all(w in text for w in words) for text in texts]
        return [
            all(w in text for w in words)
            and (not q.statuses or item.status in q.statuses)
            and (q.environment is None or item.credential.environment.value == q.environment)
            and (q.integration is None or item.credential.integration == q.integration)
            and (q.customer is None or item.credential.customer == q.customer)
            for item, text in zip(listings, texts, strict=True)
        ]

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        # Called once per row on every keystroke: two attribute reads and a list index. A flat
        # table model is only ever asked about with the root as parent.
        if self._revision != self._model.revision:  # type: ignore[union-attr]
            # Rows were inserted, moved or changed since the last pass: Qt is asking about the
            # new arrangement, so answer from it (one pass, then list lookups again).
            self._refresh()
        return self._accepted[source_row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._source().sort(column, order)
