"""Live updates: what other clients commit shows in this window; the watcher's state in the status bar."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QLabel, QWidget

from desktop.store import Store
from desktop.store.watch import ChangeWatcher, WatchState

RECONNECTING_TEXT = "Reconnecting to the database… changes made elsewhere will show once it is back"


class LiveUpdates(QObject):
    """Watches the shown database on a worker thread; the store's listeners (the tables) hear the changes."""

    _state_changed = Signal(str, str)
    _others_changed = Signal(int)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.label = QLabel(parent)
        self.label.setObjectName("liveUpdatesLabel")
        self.label.hide()
        self.presence = QLabel(parent)
        self.presence.setObjectName("presenceLabel")
        self.presence.hide()
        self._watcher: ChangeWatcher | None = None
        self._state_changed.connect(self._show_state)
        self._others_changed.connect(self._show_others)

    def watch(self, store: Store) -> None:
        """Watch this store's database from now on (and no longer the one watched before)."""
        self.stop()
        self.presence.hide()
        self._watcher = ChangeWatcher(store, on_state=self._relay_state, on_others=self._relay_others).start()

    def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    @property
    def queries(self) -> int:
        """Statements the watcher has run to look for changes."""
        return self._watcher.queries if self._watcher is not None else 0

    @property
    def state(self) -> WatchState:
        return self._watcher.state if self._watcher is not None else WatchState.STOPPED

    def _relay_state(self, state: WatchState, detail: str) -> None:
        # Called on the watcher's thread; the signal brings it to the GUI thread.
        try:
            self._state_changed.emit(state.value, detail)
        except RuntimeError:  # the window is gone
            pass

    def _relay_others(self, count: int) -> None:
        try:
            self._others_changed.emit(count)
        except RuntimeError:  # the window is gone
            pass

    @Slot(int)
    def _show_others(self, count: int) -> None:
        self.presence.setText(f"{count} other Taskforce connected" if count else "")
        self.presence.setToolTip("Other Taskforce windows or programs using this database now")
        self.presence.setVisible(count > 0)

    @Slot(str, str)
    def _show_state(self, state: str, _detail: str) -> None:
        reconnecting = state == WatchState.RECONNECTING
        self.label.setText(RECONNECTING_TEXT if reconnecting else "")
        self.label.setVisible(reconnecting)
