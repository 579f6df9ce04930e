import sys

from hedgec.cli.main import main

sys.exit(main())
