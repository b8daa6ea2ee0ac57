"""Portal of the contractor (保証契約者): 保証申込, 保証工事一覧, 電子証書, 認証キー, 保証料書類."""
