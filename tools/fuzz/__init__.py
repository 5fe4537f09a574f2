"""Fuzzing Prosector's readers with mutated real files and hostile constructs (see campaign.py)."""
