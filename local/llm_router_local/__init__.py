"""Running the router without AWS, and everything that is not the Lambda runtime: the CLI
(``cli``), the local runner (``stack``, ``aws``, ``simulated``, ``processes``, ``sockets``,
``template``), the embedded store (``store``: the DynamoDB API on SQLite), the provider
simulators (``simulator``, ``providers.<kind>.simulator``) and the whole-pipeline
benchmark (``benchmark``).

The core Lambda layer ships ``llm_router`` only (layers/core/Makefile). The
benchmark-runner function replays traffic on the simulators and the in-process store, so
its own build (functions/benchmark_runner/Makefile) ships the modules of this package its
handler imports, beside the layer's ``llm_router``. ``llm_router`` never imports this
package (tests/unit/test_import_cycles.py).
"""
