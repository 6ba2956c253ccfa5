"""Report templates, CSS and gettext catalogs."""
