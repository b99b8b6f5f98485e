"""A form dialog that shows validation messages beside the field they concern.

Subclasses add rows with `add_row(field, label, widget)` and implement `submit()`, which calls
the bridge and may raise; a ValidationError naming a field lands under that field, anything
else in the banner at the top. The dialog only closes when submit() succeeds."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core.errors import IntsecError, ValidationError
from intsec_desktop.gui.bridge import describe

ERROR_STYLE = "color: #c62828;"


class FormDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(480)
        self._errors: dict[str, QLabel] = {}
        self._fields: dict[str, QWidget] = {}
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.setAccessibleName("Error")
        self.banner.hide()
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._try_submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self._submitting = False

    def add_row(self, field: str, label: str, widget: QWidget, hint: str = "") -> None:
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(widget)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setWordWrap(True)
            hint_label.setEnabled(False)
            column.addWidget(hint_label)
        column.addWidget(error)
        container = QWidget()
        container.setLayout(column)
        # The label's mnemonic focuses its buddy (this container) only if the container takes
        # focus; the proxy hands it to the field, and Qt keeps proxied widgets out of the tab chain.
        container.setFocusProxy(widget)
        container.setFocusPolicy(widget.focusPolicy())
        column.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(label, container)
        widget.setAccessibleName(label.replace("&", "").rstrip(":"))
        self._errors[field] = error
        self._fields[field] = widget

    def field_error(self, field: str) -> str:
        label = self._errors.get(field)
        return label.text() if label is not None and not label.isHidden() else ""

    def show_error(self, message: str, field: str | None = None) -> None:
        label = self._errors.get(field or "")
        if label is not None:
            label.setText(message)
            label.show()
            self._fields[field or ""].setFocus()
        else:
            self.banner.setText(message)
            self.banner.show()

    def clear_errors(self) -> None:
        self.banner.hide()
        for label in self._errors.values():
            label.hide()

    def submit(self) -> None:
        raise NotImplementedError

    def _try_submit(self) -> None:
        if self._submitting:  # a fast double-click must not submit twice
            return
        self._submitting = True
        self.buttons.setEnabled(False)
        self.clear_errors()
        try:
            self.submit()
        except ValidationError as exc:
            self.show_error(str(exc), exc.field)
        except IntsecError as exc:
            self.show_error(describe(exc))
        else:
            self.accept()
        finally:
            self._submitting = False
            self.buttons.setEnabled(True)
