"""The domain of the surety: Application, Guarantee, Certificate versions, Amendment, AccessKey, premiums.
rules.py holds the business rules as pure functions, services/ every write, selectors.py every scoped
read, events.py the webhook events of a guarantee, imports/ the bulk 一括取込.
"""
