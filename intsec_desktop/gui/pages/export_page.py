"""The Export page: pick or edit a stored profile, preview the file with highlighting, see the
diff against the file already at the target (and its git status), the leak guard's verdict,
and write it (guarded, atomic)."""

from __future__ import annotations

import difflib
import html
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QRegularExpression, Qt, QThread, Signal
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core.errors import ConflictError, IntsecError, LeakFoundError
from intsec_desktop.core.export import target as export_target
from intsec_desktop.core.export.gitstatus import git_status
from intsec_desktop.core.export.guard import GuardHit, LeakGuard
from intsec_desktop.core.export.profile import Dialect, ExportFormat, ExportProfile, make_profile
from intsec_desktop.core.export.render import Rendered
from intsec_desktop.core.model import Environment, Region
from intsec_desktop.core.roles import Action
from intsec_desktop.core.scan.patterns import SecretEntry
from intsec_desktop.gui.bridge import VaultBridge, describe

NEW = "(new profile)"


class ExportHighlighter(QSyntaxHighlighter):
    """Comments, keys, quoted strings and secret references, each in its own colour."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._rules: list[tuple[QRegularExpression, QTextCharFormat]] = []
        for pattern, colour, bold in (
            (r"^\s*[^#\s][^:]*:(?=\s|$)", "#1f5fa8", True),  # keys
            (r'"[^"\n]*"', "#2e7d32", False),  # strings
            (r"(\$\{[A-Z0-9_]+\}|op://\S+|vault:[^\s,}\"]+)", "#8e24aa", True),  # references
            (r"^[+].*$", "#2e7d32", False),  # diff additions
            (r"^[-].*$", "#c62828", False),  # diff removals
            (r"^\s*#.*$", "#757575", False),  # comments
        ):
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if bold:
                fmt.setFontWeight(QFont.Weight.Bold)
            self._rules.append((QRegularExpression(pattern), fmt))

    def highlightBlock(self, text: str) -> None:
        for expression, fmt in self._rules:
            matches = expression.globalMatch(text)
            while matches.hasNext():
                m = matches.next()
                self.setFormat(m.capturedStart(), m.capturedLength(), fmt)


class GuardThread(QThread):
    """Builds the leak guard (seconds on a big vault) and matches the bytes off the UI thread."""

    checked = Signal(object, object)  # LeakGuard, list[GuardHit]
    failed = Signal(str)

    def __init__(self, entries: list[SecretEntry], stamp: object, data: bytes) -> None:
        super().__init__()
        self._entries = entries
        self._stamp = stamp
        self._data = data

    def run(self) -> None:
        try:
            guard = LeakGuard.from_entries(self._entries, self._stamp)
            hits = guard.hits(self._data)
        except Exception as exc:  # noqa: BLE001 - shown as one line on the page
            self.failed.emit(describe(exc))
        else:
            self.checked.emit(guard, hits)
        finally:
            self._entries = []  # the values live no longer than the automaton build


def _code_view(name: str) -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    view.setFont(QFont("monospace"))
    view.setAccessibleName(name)
    ExportHighlighter(view.document())
    return view


class ExportPage(QWidget):
    guard_finished = Signal()  # the leak guard's verdict (or a write) is on the page

    def __init__(self, bridge: VaultBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._rendered: Rendered | None = None
        self._checking: Rendered | None = None  # what the running guard thread checks
        self._thread: GuardThread | None = None  # the check in progress, if any
        self._threads: list[GuardThread] = []  # kept alive until each has finished
        self._write_after_check = False

        self.profile_picker = QComboBox()
        self.profile_picker.setAccessibleName("Export profile")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("eu-production")
        self.environment = QComboBox()
        self.environment.addItems([e.value for e in Environment])
        self.region_boxes = {r: QCheckBox(r.value) for r in Region}
        regions = QHBoxLayout()
        for box in self.region_boxes.values():
            regions.addWidget(box)
        regions.addStretch(1)
        self.integrations = QListWidget()
        self.integrations.setAccessibleName("Integrations (none checked: every one)")
        self.integrations.setMaximumHeight(120)
        self.format = QComboBox()
        self.format.addItems([f.value for f in ExportFormat])
        self.dialect = QComboBox()
        self.dialect.addItems([d.value for d in Dialect])
        self.target_edit = QLineEdit()
        self.target_edit.setPlaceholderText("/path/to/repo/deploy/integrations.yaml")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target_edit, 1)
        target_row.addWidget(browse)
        self.force = QCheckBox("Replace a file intsec did not write")

        form = QFormLayout()
        form.addRow("Profile", self.profile_picker)
        form.addRow("Name", self.name_edit)
        form.addRow("Environment", self.environment)
        form.addRow("Regions", regions)
        form.addRow("Integrations", self.integrations)
        form.addRow("Format", self.format)
        form.addRow("References", self.dialect)
        form.addRow("Target file", target_row)
        form.addRow("", self.force)

        self.save_button = QPushButton("Save profile")
        self.delete_button = QPushButton("Delete profile")
        self.preview_button = QPushButton("Preview")
        self.guard_button = QPushButton("Check for leaks")
        self.write_button = QPushButton("Write file")
        self.write_button.setDefault(True)
        buttons = QHBoxLayout()
        for button in (self.save_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        actions = QHBoxLayout()
        for button in (self.preview_button, self.guard_button, self.write_button):
            actions.addWidget(button)
        actions.addStretch(1)

        self.verdict = QLabel("Leak guard: not run yet")
        self.verdict.setAccessibleName("Leak guard verdict")
        self.verdict.setWordWrap(True)
        self.git_label = QLabel("")
        self.git_label.setAccessibleName("Target status")
        self.message = QLabel("")
        self.message.setWordWrap(True)

        self.preview = _code_view("Preview")
        self.diff = _code_view("Difference from the file at the target")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.preview, "Preview")
        self.tabs.addTab(self.diff, "Diff against target")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(QLabel("<h2>Export</h2>"))
        left_layout.addWidget(
            QLabel("Secret-free configuration: every secret is a reference, never a value.")
        )
        left_layout.addLayout(form)
        left_layout.addLayout(buttons)
        left_layout.addLayout(actions)
        left_layout.addWidget(self.verdict)
        left_layout.addWidget(self.git_label)
        left_layout.addWidget(self.message)
        left_layout.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.tabs)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([430, 770])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.profile_picker.currentTextChanged.connect(self._pick)
        self.save_button.clicked.connect(self.save_profile)
        self.delete_button.clicked.connect(self.delete_profile)
        self.preview_button.clicked.connect(self.refresh_preview)
        self.guard_button.clicked.connect(self.check_leaks)
        self.write_button.clicked.connect(self.write)
        bridge.vault_unlocked.connect(self.reload)
        bridge.vault_locked.connect(self._forget)
        bridge.export_profiles_changed.connect(self.reload)
        bridge.integrations_changed.connect(self.reload)

    # --- loading ---------------------------------------------------------------------------

    def reload(self, *_args: object) -> None:
        if not self._bridge.is_unlocked:
            return
        allowed = self._bridge.allows(Action.EXPORT)
        why = "" if allowed else "Your role may not export"
        for widget in (self.save_button, self.delete_button, self.preview_button,
                       self.guard_button, self.write_button):  # fmt: skip
            widget.setEnabled(allowed)
            widget.setToolTip(why)
        current = self.profile_picker.currentText()
        self.profile_picker.blockSignals(True)
        self.profile_picker.clear()
        self.profile_picker.addItem(NEW)
        self._profiles = {p.name: p for p in self._bridge.export_profiles()} if allowed else {}
        self.profile_picker.addItems(sorted(self._profiles))
        self.profile_picker.blockSignals(False)
        self.integrations.clear()
        for item in self._bridge.list_integrations():
            row = QListWidgetItem(f"{item.slug} — {item.name}", self.integrations)
            row.setData(Qt.ItemDataRole.UserRole, item.slug)
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Unchecked)
        index = self.profile_picker.findText(current)
        self.profile_picker.setCurrentIndex(max(index, 0))
        self._pick(self.profile_picker.currentText())

    def _forget(self) -> None:
        self._rendered = None
        self.preview.clear()
        self.diff.clear()
        self.verdict.setText("Leak guard: not run yet")
        self.message.setText("")

    def _pick(self, name: str) -> None:
        profile = self._profiles.get(name) if hasattr(self, "_profiles") else None
        if profile is None:
            profile = make_profile("", "production", ["eu"])
        self.name_edit.setText(profile.name)
        self.name_edit.setReadOnly(bool(profile.name))
        self.environment.setCurrentText(profile.environment.value)
        for region, box in self.region_boxes.items():
            box.setChecked(region in profile.regions)
        for i in range(self.integrations.count()):
            row = self.integrations.item(i)
            slug = row.data(Qt.ItemDataRole.UserRole)
            checked = slug in profile.integrations
            row.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.format.setCurrentText(profile.format.value)
        self.dialect.setCurrentText(profile.dialect.value)
        self.target_edit.setText(profile.target)
        self.delete_button.setEnabled(bool(profile.name) and self._bridge.allows(Action.EXPORT))
        self.verdict.setText("Leak guard: not run yet")
        self.message.setText("")

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Export to", self.target_edit.text())
        if chosen:
            self.target_edit.setText(chosen)

    # --- the profile in the form -------------------------------------------------------------

    def form_profile(self) -> ExportProfile:
        checked = [
            str(self.integrations.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.integrations.count())
            if self.integrations.item(i).checkState() == Qt.CheckState.Checked
        ]
        return make_profile(
            self.name_edit.text().strip(),
            self.environment.currentText(),
            [r.value for r, box in self.region_boxes.items() if box.isChecked()],
            checked,
            self.format.currentText(),
            self.dialect.currentText(),
            self.target_edit.text().strip(),
        )

    def _fail(self, exc: BaseException) -> None:
        self.message.setText(f"<span style='color:#c62828'>{describe(exc)}</span>")

    def save_profile(self) -> None:
        try:
            profile = self.form_profile()
            if not profile.name:
                raise ConflictError("give the profile a name to save it")
            self._bridge.save_export_profile(profile, replace=profile.name in self._profiles)
        except IntsecError as exc:
            self._fail(exc)
            return
        self.profile_picker.setCurrentText(profile.name)
        self.message.setText(f"Saved profile {profile.name}.")

    def delete_profile(self) -> None:
        name = self.profile_picker.currentText()
        if name == NEW:
            return
        answer = QMessageBox.question(self, "Delete profile", f"Delete export profile {name}?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._bridge.remove_export_profile(name)
        except IntsecError as exc:
            self._fail(exc)

    # --- preview, guard, write -------------------------------------------------------------------

    def refresh_preview(self) -> None:
        try:
            rendered = self._bridge.render_export(self.form_profile())
        except IntsecError as exc:
            self._fail(exc)
            return
        self._rendered = rendered
        self.preview.setPlainText(rendered.data.decode("utf-8"))
        self.message.setText(f"{len(rendered.data):,} bytes, {rendered.content_hash}")
        self.verdict.setText("Leak guard: not run on this preview yet")
        self._show_diff(rendered)

    def _show_diff(self, rendered: Rendered) -> None:
        text = self.target_edit.text().strip()
        if not text:
            self.diff.setPlainText("(no target file set)")
            self.git_label.setText("")
            return
        path = Path(text).expanduser()
        try:
            current = export_target.existing(path)
        except IntsecError as exc:
            self.diff.setPlainText(describe(exc))
            return
        self.git_label.setText(f"Target: {git_status(path)}")
        if current is None:
            self.diff.setPlainText("(the target does not exist yet: the whole file is new)")
            return
        lines = difflib.unified_diff(
            current.decode("utf-8", "replace").splitlines(),
            rendered.data.decode("utf-8").splitlines(),
            "at target", "would write", n=1, lineterm="",
        )  # fmt: skip
        self.diff.setPlainText("\n".join(lines) or "(no difference: the target is up to date)")

    def _busy(self, busy: bool) -> None:
        for button in (self.preview_button, self.guard_button, self.write_button):
            button.setEnabled(not busy and self._bridge.allows(Action.EXPORT))

    def _start_guard(self, rendered: Rendered, *, then_write: bool) -> None:
        if not self._bridge.can_reveal:
            self._use_clearance(rendered, then_write=then_write)
            return
        target = self.target_edit.text().strip() or "preview"
        self._checking = rendered
        try:
            entries, stamp = self._bridge.export_guard_inputs(target)
        except IntsecError as exc:
            self._fail(exc)
            self.guard_finished.emit()
            return
        self._write_after_check = then_write
        self.verdict.setText("Leak guard: checking every stored value…")
        self._busy(True)
        thread = GuardThread(entries, stamp, rendered.data)
        entries = []
        thread.checked.connect(self._checked)
        thread.failed.connect(self._guard_failed)
        # Dropped only once run() has returned: a QThread destroyed while running aborts.
        thread.finished.connect(lambda: self._threads.remove(thread))
        self._threads.append(thread)
        self._thread = thread
        thread.start()

    def wait_for_guard(self) -> None:
        """For scripts: block until the check has finished and its verdict is shown."""
        while self._thread is not None:
            for thread in list(self._threads):
                thread.wait()
            QCoreApplication.processEvents()

    def _guard_failed(self, message: str) -> None:
        self._thread = None
        self._busy(False)
        self.verdict.setText(f"Leak guard failed: {message}")
        self.guard_finished.emit()

    def _checked(self, guard: LeakGuard, hits: list[GuardHit]) -> None:
        self._thread = None
        self._busy(False)
        if hits:
            named = sorted({f"{h.credential} ({h.encoding}, {h.where()})" for h in hits})
            self.verdict.setText(
                "<b style='color:#c62828'>Leak guard: refuses to write; nothing was written.</b> "
                f"The export contains the secret of {'; '.join(named[:5])}."
            )
        elif self._write_after_check:
            self._write_with(guard)
        else:
            self.verdict.setText(
                "<b style='color:#2e7d32'>Leak guard: clean.</b> Members who cannot open "
                "stored values may now write this exact content too."
            )
            if self._checking is not None:
                try:
                    self._bridge.record_export_clearance(self._checking, guard)
                except IntsecError as exc:
                    self._fail(exc)
        self._checking = None
        self.guard_finished.emit()

    def _use_clearance(self, rendered: Rendered, *, then_write: bool) -> None:
        """A key slot without the reveal right cannot run the guard: it may write content that
        a member who can has found clean against the values stored now."""
        try:
            clearance = self._bridge.export_clearance(rendered)
        except IntsecError as exc:
            self._fail(exc)
            self.guard_finished.emit()
            return
        if clearance is None:
            self.verdict.setText(
                "<b style='color:#c62828'>Leak guard: not cleared.</b> Your key slot cannot "
                "open stored values, so the guard cannot check this export here. Ask an editor "
                "or owner to preview this profile in the app, or to run <code>intsec export "
                "clear</code> with it; then write again."
            )
        elif then_write:
            self._write_with(None)
        else:
            when = clearance.cleared_at.astimezone().strftime("%Y-%m-%d %H:%M")
            self.verdict.setText(
                "<b style='color:#2e7d32'>Leak guard: cleared</b> by "
                f"{html.escape(clearance.cleared_by)} at {when} for this exact content."
            )
        self.guard_finished.emit()

    def check_leaks(self) -> None:
        if self._rendered is None:
            self.refresh_preview()
        if self._rendered is not None and self._thread is None:
            self._start_guard(self._rendered, then_write=False)

    def write(self) -> None:
        """Render, guard on a worker thread, then write on this one with that guard."""
        if self._thread is not None:
            return
        if not self.target_edit.text().strip():
            self._fail(ConflictError("choose a target file first"))
            return
        self.refresh_preview()
        if self._rendered is not None:
            self._start_guard(self._rendered, then_write=True)

    def _write_with(self, guard: LeakGuard | None) -> None:
        text = self.target_edit.text().strip()
        try:
            rendered = self._bridge.write_export(
                self.form_profile(), Path(text).expanduser(), force=self.force.isChecked(),
                guard=guard,
            )  # fmt: skip
        except LeakFoundError as exc:
            self.verdict.setText(f"<b style='color:#c62828'>Leak guard:</b> {describe(exc)}")
            return
        except IntsecError as exc:
            self._fail(exc)
            return
        self._rendered = rendered
        self.preview.setPlainText(rendered.data.decode("utf-8"))
        self.verdict.setText(
            "<b style='color:#2e7d32'>Leak guard: clean.</b>"
            if guard is not None
            else "<b style='color:#2e7d32'>Leak guard: cleared</b> content, written."
        )
        self.message.setText(f"Wrote {text} ({len(rendered.data):,} bytes).")
        self._show_diff(rendered)
