#!/bin/sh
# Starts the bench app in the foreground.
set -e
cd "$(dirname "$0")"
. ./conf/app.env
exec sleep infinity
