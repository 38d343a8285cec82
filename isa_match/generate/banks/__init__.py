"""Bilingual phrase banks: the topics of every category, as Python literals."""
