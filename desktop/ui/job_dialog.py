"""A dialog whose long work runs on a worker thread, shown by a progress panel with Cancel.

Closing the dialog while the work runs cancels it; the dialog closes once the work has stopped
(an import or copy has rolled back, an export has removed its temporary file).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QWidget

from desktop.errors import TaskforceError
from desktop.ui.transfer_job import ProgressPanel, TransferJob, Work


class JobDialog(QDialog):
    # Failures shown in the dialog as their message; anything else is a bug for the crash handler.
    expected_errors: ClassVar[tuple[type[BaseException], ...]] = (TaskforceError,)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job: TransferJob | None = None
        self.progress = ProgressPanel(self)
        self.progress.cancel_requested.connect(self.cancel)
        self._close_when_stopped = False

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    def run_job(self, work: Work, on_success: Callable[[Any], None]) -> None:
        if self.running:
            return
        self.show_failure("")
        self.job = TransferJob(work, self)
        self.job.progressed.connect(self.progress.show_progress)
        self.job.succeeded.connect(lambda result: self._stopped(lambda: on_success(result)))
        self.job.failed.connect(lambda error: self._stopped(lambda: self._report(error)))
        self.progress.begin()
        self.job.start()
        self.update_buttons()

    def cancel(self) -> None:
        if self.running and self.job is not None:
            self.job.cancel()
            self.progress.cancel_button.setEnabled(False)

    def _stopped(self, then: Callable[[], None]) -> None:
        self.progress.end()
        try:
            then()
        finally:
            self.update_buttons()
            if self._close_when_stopped:
                super().reject()

    def _report(self, error: object) -> None:
        if not isinstance(error, self.expected_errors):
            raise error if isinstance(error, BaseException) else RuntimeError(str(error))
        self.show_failure(error.message if isinstance(error, TaskforceError) else str(error))

    # --- for subclasses --------------------------------------------------------------------------

    def show_failure(self, message: str) -> None:
        """Say why the work failed ("" clears it)."""
        raise NotImplementedError(type(self).__name__)

    def update_buttons(self) -> None:
        """Enable what may be used now (self.running says whether work is under way)."""
        raise NotImplementedError(type(self).__name__)

    # --- closing ---------------------------------------------------------------------------------

    def reject(self) -> None:
        if self.running:
            self._close_when_stopped = True
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            self._close_when_stopped = True
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)
