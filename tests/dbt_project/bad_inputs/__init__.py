"""A corpus of bad greenery exports: named, documented mutations of a clean CSV export."""
