"""The salesfloor domain: identity, attribution, evidence and storage. Pure Python, no Qt, no sockets."""
