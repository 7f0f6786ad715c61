"""A region silo: organizations and everything under them."""
