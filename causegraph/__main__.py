import sys

from causegraph.cli import main

sys.exit(main())
