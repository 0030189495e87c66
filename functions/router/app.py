"""Router function (Function URL, BUFFERED): the Starlette app under Mangum.

The app, its clients and the catalog are built once per container, at import, with the
garbage collector off (llm_router.coldstart).
"""

from llm_router.coldstart import lambda_init

with lambda_init():
    from mangum import Mangum

    from llm_router.bootstrap import create_app_from_env

    handler = Mangum(create_app_from_env(), lifespan="off")
