"""Readers for files users import (case lists)."""
