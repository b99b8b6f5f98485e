#!/bin/sh
# Install the launcher, AppStream metainfo and icons into PREFIX/share (under DESTDIR when
# staging a package):  packaging/linux/install-data.sh [DESTDIR] [PREFIX]
#   DESTDIR defaults to / ; PREFIX to /usr/local (use ~/.local for one user, with DESTDIR=/).
# The autostart entry is per user and opt-in: the app writes it (Settings, "Start at login").
set -eu
here=$(cd "$(dirname "$0")" && pwd)
destdir=${1:-/}
prefix=${2:-/usr/local}
share="${destdir%/}${prefix}/share"
id=io.intsec.desktop

install -D -m 0644 "$here/$id.desktop" "$share/applications/$id.desktop"
install -D -m 0644 "$here/$id.metainfo.xml" "$share/metainfo/$id.metainfo.xml"
(
    cd "$here/icons"
    find hicolor -type f \( -name "$id.png" -o -name "$id.svg" \) | while read -r icon; do
        install -D -m 0644 "$icon" "$share/icons/$icon"
    done
)
echo "installed $id into $share"
