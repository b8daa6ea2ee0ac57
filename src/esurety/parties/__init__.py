"""The parties and their people: SuretyCompany, Branch, Contractor, Orderer (adoption, departments), User
and roles; permissions.py, every role set and every can_*/require_* check (the four-eyes rule included),
asked by views, services and the API alike. Its services audit and mail through the apps below.
"""
