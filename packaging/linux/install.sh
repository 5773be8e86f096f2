#!/bin/sh
# Install NN Playground for the current user, without root:
#   ~/.local/lib/nn-playground/        the app (the folder next to this script)
#   ~/.local/bin/nn-playground         a link to start it from a terminal
#   ~/.local/share/applications/       the menu entry (opens .nnpg files)
#   ~/.local/share/mime/packages/      the .nnpg file type (application/x-nnpg)
#   ~/.local/share/icons/hicolor/      the icon (app and file type)
# Usage: ./install.sh [--uninstall]. PREFIX (default ~/.local) and XDG_DATA_HOME
# (default $PREFIX/share) move the places above.
set -eu

NAME=nn-playground
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-$HOME/.local}
DATA=${XDG_DATA_HOME:-$PREFIX/share}
APP_DIR=$PREFIX/lib/$NAME
BIN=$PREFIX/bin/$NAME
DESKTOP=$DATA/applications/$NAME.desktop
MIME_XML=$DATA/mime/packages/$NAME.xml
HICOLOR=$DATA/icons/hicolor

have() { command -v "$1" >/dev/null 2>&1; }

refresh() {
    # Optional desktop tools: without them the files still work after the next login.
    if have update-mime-database; then update-mime-database "$DATA/mime" >/dev/null 2>&1 || true; fi
    if have update-desktop-database; then update-desktop-database "$DATA/applications" >/dev/null 2>&1 || true; fi
    if have gtk-update-icon-cache; then gtk-update-icon-cache -q -t -f "$HICOLOR" >/dev/null 2>&1 || true; fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$APP_DIR"
    rm -f "$BIN" "$DESKTOP" "$MIME_XML"
    for kind in apps/$NAME mimetypes/application-x-nnpg; do
        rm -f "$HICOLOR/256x256/$kind.png" "$HICOLOR/scalable/$kind.svg"
    done
    refresh
    echo "NN Playground removed from $PREFIX"
    exit 0
fi
if [ -n "${1:-}" ]; then
    echo "usage: $0 [--uninstall]" >&2
    exit 2
fi
if [ ! -x "$HERE/$NAME/$NAME" ]; then
    echo "install.sh: $HERE/$NAME/$NAME is missing: unpack the whole archive first" >&2
    exit 1
fi

# The app: copy next to the old one, then swap, so a failed copy leaves the old one working.
mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$DATA/applications" "$DATA/mime/packages"
rm -rf "$APP_DIR.new"
cp -R "$HERE/$NAME" "$APP_DIR.new"
rm -rf "$APP_DIR"
mv "$APP_DIR.new" "$APP_DIR"
ln -sf "$APP_DIR/$NAME" "$BIN"

# The menu entry runs the app by its full path: ~/.local/bin is not always on a desktop's PATH.
sed -e "s|^Exec=.*|Exec=\"$APP_DIR/$NAME\" gui %f|" -e "s|^TryExec=.*|TryExec=$APP_DIR/$NAME|" \
    "$HERE/share/$NAME.desktop" > "$DESKTOP"
chmod 644 "$DESKTOP"
cp "$HERE/share/$NAME-mime.xml" "$MIME_XML"
for kind in apps/$NAME mimetypes/application-x-nnpg; do
    mkdir -p "$(dirname "$HICOLOR/256x256/$kind")" "$(dirname "$HICOLOR/scalable/$kind")"
    cp "$HERE/share/$NAME-256.png" "$HICOLOR/256x256/$kind.png"
    cp "$HERE/share/$NAME.svg" "$HICOLOR/scalable/$kind.svg"
done
touch "$HICOLOR"
refresh
if have xdg-mime; then xdg-mime default "$NAME.desktop" application/x-nnpg >/dev/null 2>&1 || true; fi

echo "NN Playground installed in $APP_DIR"
echo "  start it from the menu, or run: $BIN   (check it with: $BIN --selftest)"
case ":$PATH:" in
    *":$PREFIX/bin:"*) ;;
    *) echo "  note: $PREFIX/bin is not on your PATH; add it, or use the menu entry" ;;
esac
