from posture_watch.cli import main

raise SystemExit(main())
