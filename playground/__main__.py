import sys

from playground.cli import main

if __name__ == "__main__":   # (not in the training process, which imports this module too)
    sys.exit(main())
