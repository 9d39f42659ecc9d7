"""Exit 1 when the installed PySide6 loses references to None, 0 when it does not.

PySide6 6.12.0 on Python 3.11 takes one reference from None on every QModelIndex.data() call
that has no value; after a few thousand calls the interpreter aborts with
"Fatal Python error: none_dealloc". 6.11.3 and 6.10.3 do not. (Python 3.12+ makes None immortal,
which hides the bug.) Run with QT_QPA_PLATFORM=offscreen.
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QStandardItemModel

CALLS = 200
TOLERANCE = 50  # unrelated code may take or drop a few references meanwhile

app = QCoreApplication.instance() or QCoreApplication([])
model = QStandardItemModel(1, 1)  # one empty cell: data() has no value
before = sys.getrefcount(None)
for _ in range(CALLS):
    model.index(0, 0).data()
lost = before - sys.getrefcount(None)
print(
    f"PySide6 {pyside_version}, Python {sys.version.split()[0]}: "
    f"None references lost per {CALLS} calls: {max(lost, 0)}"
)
sys.exit(1 if lost > TOLERANCE else 0)
