#!/bin/sh
# deb/rpm post-remove: take hugetune's polkit action away with the package.
set -eu
rm -f /usr/share/polkit-1/actions/dev.hugetune.helper.policy
