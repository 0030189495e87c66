from llm_router.local.store.server import main

raise SystemExit(main())
