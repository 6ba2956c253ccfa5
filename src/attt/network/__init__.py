"""Network checks with nmap: zones and LAN rules, insecure protocols, IPv6 readiness, TLS."""
