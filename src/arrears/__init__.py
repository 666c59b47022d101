"""Arrears: an open-source collections management system for credit-card issuers."""

__version__ = "0.1.0"
