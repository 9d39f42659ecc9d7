"""The main window: a tab per entity, actions that work on the current tab, status bar, remembered state.

The window shows before the data layer (SQLModel, SQLAlchemy, pydantic) is imported: made without
a store it has its menus and tabs, every action that needs a database disabled, and "Opening…"
in its table (desktop/ui/application.py opens the database meanwhile). `attach(store)` then makes
it the working window. A tab's widgets are built when it is first shown. The modules that need
the data layer are imported where they are first used, never when this module is.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QPoint, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QWidget,
)

from desktop.names import TAB_ORDER
from desktop.ui.icons import icon
from desktop.ui.local_api import install_local_api
from desktop.ui.messages import show_message
from desktop.ui.pending_tab import PendingTab
from desktop.ui.read_only import ReadOnlyState
from desktop.ui.safety import SafetyActions
from desktop.ui.transfer_actions import add_transfer_actions

if TYPE_CHECKING:
    from sqlmodel import SQLModel

    from desktop.lock import FileLock
    from desktop.store import Entity, Reference, Store
    from desktop.table import Result
    from desktop.ui.live_updates import LiveUpdates
    from desktop.ui.overview import OverviewPage
    from desktop.ui.undo import StoreCommands
    from desktop.ui.views import EntityView

OVERVIEW = "overview"  # the remembered tab when the Overview, the first tab, was shown
DEFAULT_SIZE = (1120, 700)
DELETE_LIMIT = 10_000  # rows per delete: their ids are read first, and undo keeps them all


@dataclass(frozen=True)
class Navigation:
    """From a row of `source` to related rows: its parent (go to) or its children (show)."""

    action: QAction
    source: str
    child: Entity
    reference: Reference
    to_parent: bool


def database_file(url: str) -> Path | None:
    """The SQLite file a URL names, or None (a server, or no URL at all: opening it will say so)."""
    from desktop import db
    from desktop.errors import DatabaseOpenError

    try:
        return db.sqlite_path(url)
    except DatabaseOpenError:
        return None


class MainWindow(QMainWindow):
    # Set by attach(): the database shown, the undo history's commands on it, its watcher, the Go menu.
    store: Store
    commands: StoreCommands
    live_updates: LiveUpdates
    navigation: list[Navigation]

    def __init__(
        self,
        store: Store | None = None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        *,
        lock: FileLock | None = None,
    ) -> None:
        """Without a store, the window waits for attach(). lock: the single-instance lock of the
        store's file, held while the window shows that file."""
        super().__init__(parent)
        self._lock = lock
        self._icon_names: dict[QAction, str] = {}
        self._attached = False
        self.views: dict[str, EntityView] = {}  # the entity tabs built so far; view() builds one
        self._overview: OverviewPage | None = None
        self.setObjectName("MainWindow")
        self.settings = settings if settings is not None else QSettings()
        self._own_store: Store | None = None
        self.undo_stack = QUndoStack(self)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("entityTabs")
        self.tabs.setDocumentMode(True)
        # What each tab shows, by position: OVERVIEW, then entity names.
        self._tab_names: list[str] = []
        self._add_pending_tab(OVERVIEW, "Overview")
        for entity in TAB_ORDER:
            self._add_pending_tab(entity.name, entity.plural.capitalize())
        self.setCentralWidget(self.tabs)

        self._create_actions()
        self._apply_icons()
        self._create_menus()
        self._create_tool_bar()
        self._create_status_bar()
        self.local_api = install_local_api(self, self.settings, lambda: self.store)
        self.resize(*DEFAULT_SIZE)
        self._restore_settings()
        self._needs_store = self._actions_needing_a_store()
        for action in self._needs_store:
            action.setEnabled(False)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        if store is not None:
            self.attach(store)

    def attach(self, store: Store, *, lock: FileLock | None = None) -> None:
        """Show this store: the window becomes the working window, and builds the tab shown.

        lock: the single-instance lock of the store's file, held while the window shows that file.
        """
        from desktop.store import ENTITIES
        from desktop.ui.live_updates import LiveUpdates

        if self._attached:
            raise RuntimeError("the window shows its first store once; set_store() shows another")
        if lock is not None:
            self._lock = lock
        self.store = store
        self.commands = self._new_commands(store)
        for name, entity in ENTITIES.items():
            if name not in self._tab_names:  # an entity the registry has beyond desktop/names.py
                self._add_pending_tab(name, entity.plural.capitalize())
        self.navigation = self._create_navigation()
        self.go_menu.addActions([nav.action for nav in self.navigation])
        self.live_updates = LiveUpdates(self)
        status = self.statusBar()
        status.addPermanentWidget(self.live_updates.label)
        status.addPermanentWidget(self.live_updates.presence)
        status.addPermanentWidget(self.location_label)
        self._show_location()
        self._attached = True
        for action in self._needs_store:
            action.setEnabled(True)
        self._show_writability()
        self._on_tab_changed()
        self.live_updates.watch(store)
        self.local_api.restore()

    # --- building -----------------------------------------------------------------

    def _new_commands(self, store: Store) -> StoreCommands:
        from desktop.ui.undo import StoreCommands

        commands = StoreCommands(store, self.undo_stack, self)
        commands.error.connect(self.show_error)
        return commands

    def _add_pending_tab(self, name: str, label: str) -> None:
        self._tab_names.append(name)
        self.tabs.addTab(PendingTab(self.tabs), label)

    def _actions_needing_a_store(self) -> list[QAction]:
        """The menus' actions but Quit: disabled until a database is open (the tool bar has the same)."""
        found: list[QAction] = []
        for menu in self.menuBar().findChildren(QMenu):
            found += [a for a in menu.actions() if not a.isSeparator() and a.menu() is None]
        # Undo and Redo follow their (empty) history.
        kept = (self.action_quit, self.action_undo, self.action_redo)
        return [a for a in dict.fromkeys(found) if a not in kept]

    def _place(self, name: str, widget: QWidget) -> None:
        """Put a tab's built widget where its PendingTab was (shown at once if that tab is shown)."""
        index = self._tab_names.index(name)
        pending, shown = self.tabs.widget(index), self.tabs.currentIndex() == index
        was_blocked = self.tabs.blockSignals(True)  # the tab shown does not change
        try:
            self.tabs.insertTab(index, widget, self.tabs.tabText(index))
            if shown:
                self.tabs.setCurrentIndex(index)
            self.tabs.removeTab(index + 1)
        finally:
            self.tabs.blockSignals(was_blocked)
        if pending is not None:
            pending.deleteLater()

    @property
    def overview(self) -> OverviewPage:
        """The Overview tab, built now if it was not shown yet."""
        if self._overview is None:
            from desktop.ui.overview import OverviewPage

            self._overview = OverviewPage(self.store, self.tabs)
            self._overview.drill_down.connect(self.show_filtered)
            self._place(OVERVIEW, self._overview)
        return self._overview

    def _build_view(self, name: str) -> EntityView:
        from desktop.store import ENTITIES
        from desktop.ui.guarded_model import GuardedTableModel
        from desktop.ui.views import EntityView

        entity = ENTITIES[name]
        # The remembered sort and filters apply before the first query.
        model = GuardedTableModel(self.store, entity, self.commands, parent=self, started=False)
        view = EntityView(model, self.tabs)
        self.views[name] = view
        view.new_requested.connect(self.new_row)
        view.sample_requested.connect(self.load_sample_data)
        view.selection_changed.connect(self._update_actions)
        view.context_menu_requested.connect(lambda pos, v=view: self._show_context_menu(v, pos))
        view.row_missing.connect(
            lambda e=entity: self.show_error(f"That {e.label.lower()} no longer exists.")
        )
        view.table.doubleClicked.connect(self._edit_on_double_click)
        model.error.connect(lambda message: self.show_error(message, dialog=False))
        model.counts_changed.connect(self._update_count)
        view.busy_changed.connect(self._update_count)
        model.modelReset.connect(self._update_actions)
        view.table.addAction(self.action_edit)
        view.apply_icons()
        self._show_writability_of(view)
        view.restore_state(self.settings)
        # The names the filters offer are read once the table has its first rows.
        model.loaded.connect(view.filter_bar.fill_choices, Qt.ConnectionType.SingleShotConnection)
        self._place(name, view)
        model.start()
        return view

    def _action(
        self,
        name: str,
        text: str,
        icon_name: str | None,
        slot: Callable[[], Any],
        shortcuts: list[QKeySequence | QKeySequence.StandardKey | str] | None = None,
        *,
        whole_window: bool = True,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if icon_name is not None:
            self._icon_names[action] = icon_name
        if shortcuts:
            action.setShortcuts([QKeySequence(key) for key in shortcuts])
        action.triggered.connect(lambda _checked=False: slot())
        if whole_window:
            self.addAction(action)
        return action

    def _create_actions(self) -> None:
        key = QKeySequence.StandardKey
        self.action_new = self._action("actionNew", "&New…", "new", self.new_row, ["Ctrl+N"])
        # Enter edits in the tables only: in a search box it applies the search.
        self.action_edit = self._action(
            "actionEdit", "&Edit…", "edit", self.edit_current, ["Return", "Enter", "F2"], whole_window=False
        )
        self.action_edit.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.action_delete = self._action("actionDelete", "&Delete…", "delete", self.delete_selected, ["Del"])
        self.action_undo = self.undo_stack.createUndoAction(self, "Undo")
        self.action_undo.setObjectName("actionUndo")
        self._icon_names[self.action_undo] = "undo"
        self.action_undo.setShortcuts([QKeySequence("Ctrl+Z")])
        self.action_redo = self.undo_stack.createRedoAction(self, "Redo")
        self.action_redo.setObjectName("actionRedo")
        self._icon_names[self.action_redo] = "redo"
        self.action_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.addActions([self.action_undo, self.action_redo])
        self.action_refresh = self._action("actionRefresh", "&Refresh", "refresh", self.refresh, ["F5"])
        self.action_find = self._action("actionFind", "&Find…", "search", self.focus_search, [key.Find])
        self.action_open_database = self._action(
            "actionOpenDatabase", "&Open database…", "open", self.open_database, [key.Open]
        )
        self.action_new_database = self._action(
            "actionNewDatabase", "New &database…", "database-new", self.new_database
        )
        self.action_load_sample = self._action(
            "actionLoadSample", "Load &sample data", "sample", self.load_sample_data
        )
        self.action_about = self._action("actionAbout", "&About Taskforce", "about", self.about)
        self.action_quit = self._action("actionQuit", "&Quit", "quit", self.close, ["Ctrl+Q"])
        self.action_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.action_about.setMenuRole(QAction.MenuRole.AboutRole)
        self.safety = SafetyActions(
            self,
            lambda: self.store,
            partial(self.set_store, owned=True),
            let_go=lambda: self.live_updates.stop(),
        )
        self.read_only_state = ReadOnlyState(
            self,
            [
                self.action_new,
                self.action_edit,
                self.action_delete,
                self.action_undo,
                self.action_redo,
                self.action_load_sample,
            ],
        )

    def _create_navigation(self) -> list[Navigation]:
        """ "Go to owner" on a task, "Show tasks" on a user; likewise for every reference."""
        from desktop.store import ENTITIES
        from desktop.store.entities import references_to

        found = []
        for child, reference in references_to():
            parent = ENTITIES[reference.target]
            go_to = self._action(
                f"actionGoTo{reference.label_key.capitalize()}",
                f"Go to {reference.label_key}",
                None,
                partial(self.go_to_parent, child, reference),
            )
            show = self._action(
                f"actionShow{child.plural.capitalize()}",
                f"Show {child.plural}",
                None,
                partial(self.show_children, child, reference),
            )
            go_to.setStatusTip(
                f"Select this {child.label.lower()}'s {reference.label_key} in {parent.plural}"
            )
            show.setStatusTip(f"Show the {child.plural} of this {parent.label.lower()}")
            found.append(Navigation(go_to, child.name, child, reference, to_parent=True))
            found.append(Navigation(show, parent.name, child, reference, to_parent=False))
        return found

    def _create_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.action_new_database, self.action_open_database])
        file_menu.addSeparator()
        file_menu.addAction(self.action_load_sample)
        file_menu.addSeparator()
        file_menu.addActions([self.safety.back_up, self.safety.restore])
        file_menu.addSeparator()
        add_transfer_actions(self, file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.action_undo, self.action_redo])
        edit_menu.addSeparator()
        edit_menu.addActions([self.action_new, self.action_edit, self.action_delete])
        edit_menu.addSeparator()
        edit_menu.addAction(self.action_find)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.action_refresh)
        self.go_menu = bar.addMenu("&Go")  # its actions come with the registry (attach)
        self.go_menu.setEnabled(False)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.safety.check)
        help_menu.addSeparator()
        help_menu.addAction(self.action_about)

    def _create_tool_bar(self) -> None:
        bar = QToolBar("Main", self)
        bar.setObjectName("mainToolBar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addActions([self.action_new, self.action_edit, self.action_delete])
        bar.addSeparator()
        bar.addActions([self.action_undo, self.action_redo])
        bar.addSeparator()
        bar.addAction(self.action_refresh)
        self.addToolBar(bar)

    def _create_status_bar(self) -> None:
        status = self.statusBar()
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.location_label = QLabel()
        self.location_label.setObjectName("locationLabel")
        status.addWidget(self.count_label)
        status.addWidget(self.error_label, 1)
        # The permanent widgets (the live updates' state, the location) come with the database.

    def _apply_icons(self) -> None:
        """Icons in the variant for the palette: dark ones on light, light ones on dark."""
        for action, name in self._icon_names.items():
            action.setIcon(icon(name))
        for view in self.views.values():
            view.apply_icons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_icons()  # the desktop switched between light and dark
        super().changeEvent(event)

    # --- the current tab --------------------------------------------------------------

    @property
    def current_view(self) -> EntityView | None:
        """The entity tab shown; None while the Overview is."""
        return self.views.get(self._tab_names[self.tabs.currentIndex()])

    def _tab(self, name: str) -> QWidget:
        """A tab's widget (OVERVIEW or an entity's name), built now if it was not yet."""
        return self.overview if name == OVERVIEW else self.view(name)

    def view(self, entity_name: str) -> EntityView:
        """An entity's tab, built now if it was not shown yet."""
        view = self.views.get(entity_name)
        return view if view is not None else self._build_view(entity_name)

    def _on_tab_changed(self) -> None:
        if not self._attached:
            return  # every tab says "Opening…" until the database is open
        self._tab(self._tab_names[self.tabs.currentIndex()])
        entity = self._entity_for_new()
        self.action_new.setText(f"&New {entity.label.lower()}…")
        self.action_edit.setText(f"&Edit {entity.label.lower()}…")
        self.action_delete.setText(f"&Delete {entity.plural}…")
        self._update_count()
        self._update_actions()

    def _update_count(self) -> None:
        if self.current_view is None:
            self.count_label.clear()
            return
        model = self.current_view.model
        entity = model.entity
        busy = self.current_view.busy_text
        if busy is not None:
            self.count_label.setText(busy)
        elif model.counted:
            self.count_label.setText(f"{model.rowCount():,} of {model.total_count:,} {entity.plural}")
        else:
            self.count_label.setText(f"Counting {entity.plural}…")

    def _update_actions(self) -> None:
        view = self.current_view
        if view is None:  # the Overview: nothing selected, nowhere to go
            for action in (self.action_edit, self.action_delete):
                action.setEnabled(False)
            for nav in self.navigation:
                nav.action.setVisible(False)
            self.go_menu.setEnabled(False)
            return
        selected = view.has_selection() and not view.showing_empty_state
        writable = not self.store.read_only
        self.action_edit.setEnabled(selected and writable)
        self.action_delete.setEnabled(selected and writable)
        record = view.current_record() if selected else None
        for nav in self.navigation:
            usable = nav.source == view.entity.name and record is not None
            if usable and nav.to_parent and record is not None:
                usable = getattr(record.read, nav.reference.field) is not None
            nav.action.setVisible(nav.source == view.entity.name)
            nav.action.setEnabled(usable)
        self.go_menu.setEnabled(any(nav.source == view.entity.name for nav in self.navigation))

    def context_menu(self, view: EntityView) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("rowMenu")
        menu.addActions([self.action_edit, self.action_delete])
        related = [nav.action for nav in self.navigation if nav.source == view.entity.name]
        if related:
            menu.addSeparator()
            menu.addActions(related)
        return menu

    def _show_context_menu(self, view: EntityView, pos: QPoint) -> None:
        self._update_actions()
        self.context_menu(view).exec(pos)

    # --- messages -----------------------------------------------------------------------

    def show_error(self, message: str, *, dialog: bool = True) -> None:
        """The status bar keeps the last error; actions also say it in a message box."""
        self.error_label.setText(f"⚠ {message}")
        self.error_label.setToolTip(message)
        if dialog:
            show_message(self, QMessageBox.Icon.Warning, "Taskforce", message)

    def _clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.setToolTip("")

    def _show_location(self) -> None:
        read_only = " (read-only)" if self.store.read_only else ""
        self.location_label.setText(f"Database: {self.store.location}{read_only}")
        self.location_label.setToolTip(f"{self.store.backend} database at {self.store.location}")
        self.setWindowTitle(f"Taskforce — {self.store.location}")

    # --- rows -----------------------------------------------------------------------------

    def _entity_for_new(self) -> Entity:
        """What New adds: a row of the tab shown, or a task from the Overview."""
        from desktop.store import ENTITIES

        view = self.current_view
        return ENTITIES["task"] if view is None else view.entity

    def new_row(self) -> None:
        from desktop.store import Repository
        from desktop.ui.edit_dialog import EditDialog

        view = self.view(self._entity_for_new().name)
        entity = view.entity
        created: list[SQLModel] = []

        def submit(data: dict[str, Any]) -> SQLModel:
            row = self.commands.create(entity.name, data)
            created.append(row)
            return row

        if EditDialog.run(self, self.store, entity, None, submit) and created:
            self._clear_error()
            view.select_row_id(Repository.row_id(created[0]))

    def _edit_on_double_click(self, index: QModelIndex) -> None:
        if index.isValid() and self.action_edit.isEnabled():
            self.action_edit.trigger()

    def edit_current(self) -> None:
        view = self.current_view
        record = None if view is None else view.current_record()
        if record is None:
            return
        assert view is not None
        from desktop.store import Repository

        shown_id, store = Repository.row_id(record.read), self.store
        view.model.read_row(shown_id, lambda found: self._edit_row(view, store, shown_id, found))

    def _edit_row(self, view: EntityView, store: Store, row_id: int, found: Result[Any]) -> None:
        """Open the dialog on the row as it is saved now, once it has been read."""
        from desktop.ui.conflict_dialog import save_resolving_conflicts
        from desktop.ui.edit_dialog import EditDialog

        if store is not self.store or QApplication.activeModalWidget() is not None:
            return  # another database was opened, or a dialog meanwhile
        entity, row = view.entity, found.value
        if row is None:
            self.show_error(found.error or f"{entity.label} not found")
            return

        def submit(patch: dict[str, Any]) -> SQLModel:
            return save_resolving_conflicts(
                self,
                self.store,
                entity,
                patch,
                row.version,
                lambda values, version: self.commands.update(
                    entity.name, row_id, values, expected_version=version, base=row.model_dump()
                ),
            )

        if EditDialog.run(self, self.store, entity, row, submit):
            self._clear_error()
            view.select_row_id(row_id)

    def delete_selected(self) -> None:
        view = self.current_view
        if view is None:
            return
        if view.selected_count() > DELETE_LIMIT:
            self.show_error(
                f"Select at most {DELETE_LIMIT:,} {view.entity.plural} to delete at once, "
                "or narrow the list with the filters first."
            )
            return
        view.selected_ids(lambda ids: self._delete_rows(view, ids))

    def _delete_rows(self, view: EntityView, ids: Result[list[int]]) -> None:
        from desktop.ui.delete_flow import delete_rows

        if ids.error is not None:
            self.show_error(ids.error)
        elif ids.value and delete_rows(self, self.commands, self.store, view.entity, ids.value):
            self._clear_error()

    def refresh(self) -> None:
        self._clear_error()
        if self._overview is not None:
            self._overview.mark_stale()
        for view in self.views.values():
            view.filter_bar.reload_choices("*")
            view.model.refresh()

    def focus_search(self) -> None:
        if self.current_view is not None:
            self.current_view.focus_search()

    # --- navigation --------------------------------------------------------------------------

    def show_filtered(self, entity_name: str, filters: dict[str, Any]) -> None:
        """Open an entity's tab showing only the rows these filter values choose (from the Overview)."""
        view = self.view(entity_name)
        view.show_only(filters)
        self.tabs.setCurrentWidget(view)
        view.table.setFocus()

    def go_to_parent(self, child: Entity, reference: Reference) -> None:
        record = self.view(child.name).current_record()
        target_id = None if record is None else getattr(record.read, reference.field)
        if target_id is None:
            return
        target = self.view(reference.target)
        self.tabs.setCurrentWidget(target)
        target.select_row_id(target_id)
        target.table.setFocus()

    def show_children(self, child: Entity, reference: Reference) -> None:
        from desktop.store import Repository

        record = self.view(reference.target).current_record()
        if record is None:
            return
        children = self.view(child.name)
        children.filter_to(reference.field, Repository.row_id(record.read))
        self.tabs.setCurrentWidget(children)
        children.table.setFocus()

    # --- databases ----------------------------------------------------------------------------

    def open_database(self) -> None:
        from desktop.ui.open_database import OpenDatabaseDialog

        url = OpenDatabaseDialog.ask(self)
        if url:
            self._switch_to(url)

    def new_database(self) -> None:
        from desktop import db
        from desktop.ui.open_database import OpenDatabaseDialog

        path = OpenDatabaseDialog.ask_new_path(self)
        if path is None:
            return
        if path.exists() and path.stat().st_size > 0:
            self.show_error(f"{path.name} already exists. Use Open database to open it.")
            return
        self._switch_to(db.sqlite_url(path))

    def _switch_to(self, url: str) -> None:
        """Open another database here: its file is locked first, the old file's lock is let go after."""
        from desktop.errors import DatabaseInUseError, TaskforceError
        from desktop.lock import single_instance_lock
        from desktop.store import Store
        from desktop.ui.loading import opening_text, run_off_gui_thread

        path = database_file(url)
        same_file = path is not None and path == self.store.path
        try:
            lock = single_instance_lock(path) if path is not None and not same_file else None
        except DatabaseInUseError as error:
            self.show_error(error.message)
            return
        try:
            store = run_off_gui_thread(lambda: Store.open(url), parent=self, busy=opening_text(url))
        except TaskforceError as error:
            if lock is not None:
                lock.release()
            self.show_error(error.message)
            return
        self.set_store(store, owned=True)
        store.start_automatic_backup()  # when one is due, on a worker thread, as at start-up
        if not same_file:
            self.release_lock()
            self._lock = lock

    def release_lock(self) -> None:
        """Let another Taskforce open the file shown here (once the store on it is closed)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def set_store(self, store: Store, *, owned: bool = False) -> None:
        """Show another database in every tab; history of the old one is forgotten."""
        from desktop.ui.guarded_model import GuardedTableModel
        from desktop.ui.loading import wait_for_queries

        old_commands, previous = self.commands, self._own_store
        self.undo_stack.clear()
        self.store = store
        self.commands = self._new_commands(store)
        old_commands.deleteLater()
        for view in self.views.values():
            model = view.model
            assert isinstance(model, GuardedTableModel)
            model.set_commands(store, self.commands)
            view.set_store_choices()
        if self._overview is not None:
            self._overview.set_store(store)
        self._own_store = store if owned else None
        self.live_updates.watch(store)
        if previous is not None and previous is not store:
            wait_for_queries()
            previous.close()
        self._clear_error()
        self._show_location()
        self._show_writability()
        self._on_tab_changed()

    def _show_writability(self) -> None:
        """The read-only banner, and every way to change data disabled, while the database is read-only.

        Cells follow the store by themselves: GuardedTableModel.writing_allowed() is False then.
        """
        self.read_only_state.show(self.store.read_only)
        for view in self.views.values():
            self._show_writability_of(view)

    def _show_writability_of(self, view: EntityView) -> None:
        writable = not self.store.read_only
        view.empty_state.new_button.setEnabled(writable)
        view.empty_state.sample_button.setEnabled(writable)

    def load_sample_data(self) -> None:
        from desktop.demo import load_sample_data
        from desktop.errors import TaskforceError
        from desktop.store import Change
        from desktop.ui.loading import run_off_gui_thread

        store = self.store
        try:
            run_off_gui_thread(lambda: load_sample_data(store), parent=self, busy="Loading the sample data…")
        except TaskforceError as error:
            self.show_error(error.message)
        finally:
            self.store.notify(Change("*", "reset"))

    def about(self) -> None:
        from desktop import __version__

        location = html.escape(self.store.location)
        show_message(
            self,
            QMessageBox.Icon.Information,
            "About Taskforce",
            f"<h3>Taskforce {html.escape(__version__)}</h3>"
            "<p>Tasks and the users who own them, heroes, teams and items.</p>"
            f"<p>Database: {location}<br>Kind: {html.escape(self.store.backend)}</p>",
        )

    # --- remembered state ------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state:
            self.restoreState(state)
        tab = self.settings.value("window/tab")
        if tab in self._tab_names:
            self.tabs.setCurrentIndex(self._tab_names.index(str(tab)))

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/tab", self._tab_names[self.tabs.currentIndex()])
        for view in self.views.values():
            view.save_state(self.settings)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        if not self._attached:  # closed while the database opens: application.py finishes that
            event.accept()
            return
        from desktop.ui.loading import wait_for_queries

        self.live_updates.stop()
        if self._overview is not None:
            self._overview.shutdown()
        for view in self.views.values():
            view.model.shutdown()
        wait_for_queries()
        if self._own_store is not None:
            self._own_store.close()
            self._own_store = None
            self.release_lock()  # a store handed to the window is closed, and let go, by its owner
        event.accept()
