#!/bin/bash
# Entry point under Lambda Web Adapter (AWS_LAMBDA_EXEC_WRAPPER=/opt/bootstrap): the adapter
# starts this script, waits for GET /health on $PORT, then forwards each function-URL
# request to uvicorn and streams the response body back as it is written.
#
# The app and its dependencies come from the core layer (/opt/python), built as the router
# function builds its own (llm_router.coldstart: the collector off during init, the
# layer's precompiled source); uvicorn's own access log is off because the app logs each
# request with its routing decision.
set -euo pipefail
export PYTHONPATH="/opt/python${PYTHONPATH:+:$PYTHONPATH}${LAMBDA_RUNTIME_DIR:+:$LAMBDA_RUNTIME_DIR}"
exec python3 -m uvicorn --factory llm_router.coldstart:relay_app \
    --host 127.0.0.1 --port "${PORT:-8080}" --no-access-log
