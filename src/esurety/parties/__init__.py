"""The parties and their people: SuretyCompany, Branch, Contractor, Orderer (adoption, departments), User
and roles. Its services audit and mail through the apps below.
"""
