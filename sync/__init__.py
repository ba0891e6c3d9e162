"""okrsync: OKRs inside the spreadsheets small businesses already use."""

__version__ = "0.1.0"
