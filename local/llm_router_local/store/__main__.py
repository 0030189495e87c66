from llm_router_local.store.server import main

raise SystemExit(main())
