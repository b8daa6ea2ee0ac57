"""Writes of the parties app: orderers (orderers.py) and deposit banks (banks.py), kept by the sureties' staff."""

from esurety.parties.services.banks import (
    BankInput,
    deposit_bank_branch_add,
    deposit_bank_contract_add,
    deposit_bank_create,
)
from esurety.parties.services.orderers import (
    DEPARTMENTS_OWNED_MESSAGE,
    SUBJECT_FIELDS,
    AdoptionInput,
    DepartmentInput,
    OrdererInput,
    actor_organisation,
    department_changes,
    orderer_create,
    orderer_departments_update,
    orderer_snapshot,
    orderer_update,
)

__all__ = [
    "DEPARTMENTS_OWNED_MESSAGE",
    "SUBJECT_FIELDS",
    "AdoptionInput",
    "BankInput",
    "DepartmentInput",
    "OrdererInput",
    "actor_organisation",
    "department_changes",
    "deposit_bank_branch_add",
    "deposit_bank_contract_add",
    "deposit_bank_create",
    "orderer_create",
    "orderer_departments_update",
    "orderer_snapshot",
    "orderer_update",
]
