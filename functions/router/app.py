"""Router function (Function URL, BUFFERED): the Starlette app under Mangum.

The app, its clients and the catalog are built once per container, at import.

The cyclic garbage collector is off while that happens: init allocates about 170,000
tracked objects (modules, classes, functions, the catalog, the tokenizers' tables) that
all live as long as the container, and with the collector on, CPython traverses them
again and again as they age through the generations (about 200 young, 17 middle and one
full collection per init) only to find almost nothing to free (under 2,000 objects).
Afterwards ``gc.freeze()`` moves everything init made to the permanent generation, so
later full collections (during requests) no longer walk it either, and the collector is
back on for the requests' own garbage. docs/performance.md#cold-start has the numbers.
"""

import gc

gc.disable()
try:
    from mangum import Mangum

    from llm_router.bootstrap import create_app_from_env

    handler = Mangum(create_app_from_env(), lifespan="off")
finally:
    gc.freeze()
    gc.enable()
