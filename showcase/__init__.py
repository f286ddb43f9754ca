"""展厅 showcase: a static-site generator for 产改成果展厅 exhibitions."""

__version__ = "0.1.0"
