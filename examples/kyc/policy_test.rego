# The newton.identity.kyc.* builtins read the caller's identity data and reference date, which a
# test cannot supply (and `with` cannot mock a builtin in this engine). The policy gathers their
# answers in one rule, `identity_checks`, and these tests override that rule with the facts of
# each scenario: `with data.kyc.identity_checks as {...}`. The builtins themselves (age exactly
# min_age on the reference date, expiry on the reference date, …) are exercised end to end by
# test/examples.test.ts with identity.json and the manifest's reference date.
#
# Tests say `data.kyc.allow`, not `import data.kyc` + `kyc.allow`: in this engine a reference
# through a package import evaluates every rule of the package, so the builtins would run
# (and error) despite the override.
package kyc_test

params := {"min_age": 18, "allowed_countries": ["US", "CA", "GB"]}

sender := "0xd232c8d0dc8069eba108954a5f2307752547df1a"

vault := "0x3f5c0a2b7e1d9c4a6b8e2f1d0c9b8a7e6d5c4b3a"

all_pass := {"approved": true, "min_age": true, "allowed_country": true, "not_expired": true}

# ParsedIntent of vault.deposit(assets, receiver) (ERC-4626).
deposit(assets, receiver) := {
	"from": sender,
	"to": vault,
	"value": "0",
	"data": "0x6e553f65",
	"chain_id": "11155111",
	"function_signature": "0x6465706f7369742875696e743235362c6164647265737329",
	"function": {
		"name": "deposit",
		"type": "function",
		"inputs": [{"name": "param0", "type": "uint256"}, {"name": "param1", "type": "address"}],
		"outputs": [],
		"stateMutability": "nonpayable",
	},
	"decoded_function_signature": "deposit(uint256,address)",
	"decoded_function_arguments": [assets, receiver],
}

ok_deposit := deposit("1000000000", sender)

# The decision and deny reasons for one scenario.
allowed(facts, p) if {
	i := ok_deposit
	data.kyc.allow with input as i with data.params as p with data.kyc.identity_checks as facts
}

reasons(facts, p) := r if {
	i := ok_deposit
	r := data.kyc.deny with input as i with data.params as p with data.kyc.identity_checks as facts
}

# --- allow ------------------------------------------------------------------------------------

test_allow_when_every_check_passes if {
	allowed(all_pass, params)
	reasons(all_pass, params) == set()
}

test_allow_single_country_list if {
	allowed(all_pass, object.union(params, {"allowed_countries": ["US"]}))
}

# --- each identity check ----------------------------------------------------------------------

test_deny_not_approved if {
	facts := object.union(all_pass, {"approved": false})
	not allowed(facts, params)
	reasons(facts, params) == {"KYC status is not approved"}
}

test_deny_under_min_age if {
	facts := object.union(all_pass, {"min_age": false})
	not allowed(facts, params)
	reasons(facts, params) == {"holder is younger than min_age 18"}
}

test_deny_country_not_allowed if {
	facts := object.union(all_pass, {"allowed_country": false})
	not allowed(facts, params)
	reasons(facts, params) == {"address country is not in allowed_countries"}
}

test_deny_document_expired if {
	facts := object.union(all_pass, {"not_expired": false})
	not allowed(facts, params)
	reasons(facts, params) == {"identity document has expired"}
}

test_deny_reports_every_failed_check if {
	facts := {"approved": false, "min_age": false, "allowed_country": false, "not_expired": false}
	not allowed(facts, params)
	count(reasons(facts, params)) == 4
}

test_deny_when_a_check_is_missing if {
	facts := object.remove(all_pass, ["not_expired"])
	not allowed(facts, params)
	reasons(facts, params) == {"identity document has expired"}
}

test_deny_when_a_check_is_not_boolean_true if {
	facts := object.union(all_pass, {"approved": "true"})
	not allowed(facts, params)
}

# --- params -----------------------------------------------------------------------------------

test_deny_invalid_min_age if {
	every bad in [0, -1, 17.5, "18", null] {
		p := object.union(params, {"min_age": bad})
		not allowed(all_pass, p)
		reasons(all_pass, p) == {"params: min_age must be a positive integer"}
	}
}

test_deny_invalid_allowed_countries if {
	every bad in [[], ["usa"], ["us"], [1], "US"] {
		p := object.union(params, {"allowed_countries": bad})
		not allowed(all_pass, p)
		reasons(all_pass, p) == {"params: allowed_countries must be a non-empty list of ISO 3166-1 alpha-2 codes"}
	}
}

test_deny_missing_params if {
	not allowed(all_pass, {})
	count(reasons(all_pass, {})) == 2
}

# --- the intent -------------------------------------------------------------------------------

test_deny_deposit_for_another_receiver if {
	other := "0x8f86403a4de0bb5791fa46b8e795c547942fe4cf"
	i := deposit("1000000000", other)
	not data.kyc.allow with input as i with data.params as params with data.kyc.identity_checks as all_pass
	data.kyc.deny == {sprintf("deposit receiver %s is not the verified sender", [other])}
		with input as i
		with data.params as params
		with data.kyc.identity_checks as all_pass
}

test_allow_receiver_in_other_case if {
	i := deposit("1000000000", "0xD232C8D0DC8069EBA108954A5F2307752547DF1A")
	data.kyc.allow with input as i with data.params as params with data.kyc.identity_checks as all_pass
}

test_allow_non_vault_call if {
	# A call without a receiver argument is gated on KYC alone.
	i := object.union(ok_deposit, {
		"function": object.union(ok_deposit.function, {"name": "claim", "inputs": []}),
		"decoded_function_signature": "claim()",
		"decoded_function_arguments": [],
	})
	data.kyc.allow with input as i with data.params as params with data.kyc.identity_checks as all_pass
}
