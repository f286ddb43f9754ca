"""展厅 showcase: python build.py --help"""
import sys

from showcase.cli import main

if __name__ == "__main__":
    sys.exit(main())
