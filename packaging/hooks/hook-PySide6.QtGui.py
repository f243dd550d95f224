"""QtGui for salesfloor: PyInstaller's own collection minus the plugins no screen of ours runs on.

Taking them out here, before PyInstaller follows each plugin's shared-library dependencies, also
keeps their libraries out (the GTK 3 platform theme alone drags in GTK, cairo, pango and ATK).
Kept: offscreen, xcb and wayland (Linux desktops and the headless hub's charts), minimal, image
formats, icon engines, input contexts (ibus for Chinese input), the XDG portal theme; on Windows the
same hook keeps qwindows and on macOS cocoa.
"""

from PyInstaller.utils.hooks.qt import get_qt_library_info

UNUSED = (
    "egldeviceintegrations",  # eglfs on embedded boards
    "platforms/libqeglfs",
    "platforms/libqlinuxfb",
    "platforms/libqminimalegl",
    "platforms/libqvnc",
    "platforms/libqvkkhrdisplay",
    "platformthemes/libqgtk3",
)

hiddenimports, binaries, datas = get_qt_library_info("PySide6").collect_module("PySide6.QtGui")
binaries = [(src, dest) for src, dest in binaries if not any(part in src.replace("\\", "/") for part in UNUSED)]
