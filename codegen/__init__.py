"""Code generator for the Atlassian SDKs."""
