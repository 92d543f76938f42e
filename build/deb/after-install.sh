#!/bin/bash
# After installing the .deb: electron-builder's own steps (command link, Chromium sandbox helper, desktop
# database), then what makes a kiosk device: start at every desktop login (XDG autostart), and the
# folders for the configuration and the database. A custom afterInstall replaces electron-builder's
# template, so its steps are repeated here. electron-builder fills in the dollar-brace macros; shell
# variables are written without braces for that reason.
set -e

if type update-alternatives >/dev/null 2>&1; then
    if [ -L '/usr/bin/${executable}' -a -e '/usr/bin/${executable}' -a "`readlink '/usr/bin/${executable}'`" != '/etc/alternatives/${executable}' ]; then
        rm -f '/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' '/opt/${sanitizedProductName}/${executable}' 100 || ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
else
    ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
fi

# The renderer sandbox: SUID helper only where unprivileged user namespaces are unavailable.
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
    chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# AppArmor profile (Ubuntu 24+ restricts unprivileged user namespaces, which the sandbox needs).
if apparmor_status --enabled > /dev/null 2>&1; then
    APPARMOR_PROFILE_SOURCE='/opt/${sanitizedProductName}/resources/apparmor-profile'
    APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
    if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" > /dev/null 2>&1; then
        cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"
        if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
            apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET" || true
        fi
    fi
fi

# Kiosk device: start with every graphical login.
install -D -m 0644 '/opt/${sanitizedProductName}/resources/autostart/checkpoint-kiosk.desktop' \
    /etc/xdg/autostart/checkpoint-kiosk.desktop

# Configuration (kiosk.json, keys, trust list) and data (the SQLite log). The technician gives the
# kiosk's login user the data folder: sudo chown kiosk: /var/lib/checkpoint-kiosk
install -d -m 0755 /etc/checkpoint-kiosk
install -d -m 0750 /var/lib/checkpoint-kiosk

exit 0
