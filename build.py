"""展厅 showcase: python build.py --help"""
import sys

if sys.version_info < (3, 11):  # checked before the imports, in syntax old versions read: they would fail inside with a traceback
    sys.stderr.write("展厅需要 Python 3.11 或更新的版本，这里运行的是 %d.%d.%d。请到 python.org 下载安装新版本后再运行。\n"
                     "showcase needs Python 3.11 or newer.\n" % tuple(sys.version_info[:3]))
    sys.exit(2)

from showcase.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
