"""The control silo: users, emails, tokens, instance options, slug reservations."""
