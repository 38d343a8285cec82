"""Ranking layer: lexical retrieval (BM25), scoring components and their combination."""
