"""``attt coverage``: asset sources reconciled with anti-malware console exports."""
