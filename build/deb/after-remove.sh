#!/bin/bash
# After removing the .deb: the command link and the autostart entry go; the configuration and the
# database stay (a removed kiosk's log is evidence: delete /var/lib/checkpoint-kiosk by hand if meant).
if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}' || true
else
    rm -f '/usr/bin/${executable}'
fi
rm -f /etc/xdg/autostart/checkpoint-kiosk.desktop
if [ -f '/etc/apparmor.d/${executable}' ]; then
    if apparmor_status --enabled > /dev/null 2>&1 && hash apparmor_parser 2>/dev/null; then
        apparmor_parser --remove '/etc/apparmor.d/${executable}' || true
    fi
    rm -f '/etc/apparmor.d/${executable}'
fi
exit 0
