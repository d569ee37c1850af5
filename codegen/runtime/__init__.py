"""Hand-written runtime copied into each generated SDK as ``<sdk>._runtime``."""
