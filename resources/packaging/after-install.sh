#!/bin/sh
# deb/rpm post-install: put hugetune's polkit action where polkit reads actions, so pkexec knows the helper
# (and asks for the administrator's password once per session instead of for every write).
set -eu
app=/opt/hugetune/resources
actions=/usr/share/polkit-1/actions
if [ -f "$app/polkit/dev.hugetune.helper.policy" ] && [ -d "$actions" ]; then
  cp "$app/polkit/dev.hugetune.helper.policy" "$actions/dev.hugetune.helper.policy"
  chmod 0644 "$actions/dev.hugetune.helper.policy"
fi
# pkexec runs the helper as root: it must be root's and nobody else's to change.
if [ -f "$app/helper/hugetune-helper" ]; then
  chown root:root "$app/helper/hugetune-helper"
  chmod 0755 "$app/helper/hugetune-helper"
fi
