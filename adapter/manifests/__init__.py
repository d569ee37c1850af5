"""Shipped tool manifests and their JSON Schema (package data)."""
