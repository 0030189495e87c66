import sys

from llm_router_local.cli import main

sys.exit(main())
