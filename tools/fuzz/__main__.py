from tools.fuzz.campaign import main

raise SystemExit(main())
