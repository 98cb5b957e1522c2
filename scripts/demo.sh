#!/usr/bin/env bash
# The demo on a fresh machine: dependencies and Node 24, the local stack, then `impact-in demo`
# (Goodera simulator + the service, sample events, progress and a summary).
source "$(dirname "$0")/lib.sh"
ensure_deps
bash deploy/local/stack.sh up
stack_env
exec node bin/impact-in.js demo "$@"
