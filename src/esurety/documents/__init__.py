"""The PDFs the surety issues (key notice, certificate copy, premium statements), rendered by WeasyPrint;
signing them is the signing app's.
"""
