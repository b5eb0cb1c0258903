#!/bin/sh
echo deployed "$@"
