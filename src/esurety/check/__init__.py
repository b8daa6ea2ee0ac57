"""The public 書類の真正性確認 page (no login): upload a PDF, learn whether its signature holds, who signed it,
whether it is in the registry of issued documents and what its guarantee's status is.
"""
