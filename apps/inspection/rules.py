"""Labour inspection (domain guide §7): foundations."""
