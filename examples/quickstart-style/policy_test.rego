package quickstart_style_test

import data.quickstart_style

params := {"check_kyc": true, "check_ofac": true, "check_fraud": true, "max_risk_score": 4}

token := "0x8f86403a4de0bb5791fa46b8e795c547942fe4cf"

# ParsedIntent of buy(token, 100000000000, 2) as Newton builds it (§13C).
buy := {
	"from": "0xd232c8d0dc8069eba108954a5f2307752547df1a",
	"to": "0xf4d520149541f948f6da99eaec6ef6d699690ba3",
	"value": "0",
	"data": "0x28dca9f7",
	"chain_id": "11155111",
	"function_signature": "0x62757928616464726573732c75696e743235362c75696e74333229",
	"function": {
		"name": "buy",
		"type": "function",
		"stateMutability": "nonpayable",
		"inputs": [
			{"type": "address", "name": "param0"},
			{"type": "uint256", "name": "param1"},
			{"type": "uint32", "name": "param2"},
		],
		"outputs": [],
	},
	"decoded_function_signature": "buy(address,uint256,uint32)",
	"decoded_function_arguments": [token, "100000000000", 2],
}

# Oracle output for a clean, verified address (checksummed, as oracles often return it).
clean := {
	"address": "0x8f86403A4DE0BB5791fa46B8e795C547942fE4Cf",
	"kyc_status": "approved",
	"name_first": "Ada",
	"name_last": "Lovelace",
	"identifications": [],
	"sanctioned": false,
	"risk_score": 2,
	"risk_level": "Low risk",
	"risk_reasoning": "",
}

allowed(w, p) if quickstart_style.allow with input as buy with data.wasm as w with data.params as p

reasons(w, p) := r if {
	r := quickstart_style.deny with input as buy with data.wasm as w with data.params as p
}

# --- allow ------------------------------------------------------------------------------------

test_allow_clean_verified_address if {
	allowed(clean, params)
	reasons(clean, params) == set()
}

test_allow_risk_score_exactly_max if {
	allowed(object.union(clean, {"risk_score": 4}), params)
}

test_allow_default_max_risk_score_is_4 if {
	p := object.remove(params, ["max_risk_score"])
	allowed(object.union(clean, {"risk_score": 4}), p)
	not allowed(object.union(clean, {"risk_score": 5}), p)
}

test_allow_unchecked_signals_are_ignored if {
	# With every switch off only the address binding matters.
	off := {"check_kyc": false, "check_ofac": false, "check_fraud": false}
	w := {"address": token, "kyc_status": "denied", "sanctioned": true, "risk_score": 9}
	allowed(w, off)
}

# --- address binding --------------------------------------------------------------------------

test_deny_oracle_screened_another_address if {
	w := object.union(clean, {"address": "0xF4D520149541f948F6dA99EAeC6Ef6d699690bA3"})
	not allowed(w, params)
	reasons(w, params) == {sprintf(
		"oracle screened %v, but the call acts on %v",
		["0xF4D520149541f948F6dA99EAeC6Ef6d699690bA3", token],
	)}
}

test_deny_oracle_without_address if {
	w := object.remove(clean, ["address"])
	not allowed(w, params)
	reasons(w, params) == {sprintf("oracle screened null, but the call acts on %v", [token])}
}

test_deny_first_argument_not_an_address if {
	i := object.union(buy, {"function": object.union(buy.function, {"inputs": [{"type": "uint256", "name": "param0"}]})})
	not quickstart_style.allow with input as i with data.wasm as clean with data.params as params
}

# --- KYC --------------------------------------------------------------------------------------

test_deny_kyc_not_approved_reference_scenario if {
	# §13C: the mock oracle reports kyc_status "denied" with an empty name and the wrong address.
	w := {
		"kyc_status": "denied", "name_first": "", "name_last": "", "sanctioned": false,
		"identifications": [], "risk_score": 0, "risk_level": "Very low risk",
		"address": "0xF4D520149541f948F6dA99EAeC6Ef6d699690bA3",
	}
	p := {"check_ofac": false, "check_kyc": true, "check_fraud": true}
	not allowed(w, p)
	reasons(w, p) == {
		sprintf("oracle screened %v, but the call acts on %v", [w.address, token]),
		"KYC status is denied, not approved",
		"KYC record has no legal name",
	}
}

test_deny_kyc_pending if {
	w := object.union(clean, {"kyc_status": "pending"})
	not allowed(w, params)
	reasons(w, params) == {"KYC status is pending, not approved"}
}

test_deny_kyc_status_missing if {
	w := object.remove(clean, ["kyc_status"])
	not allowed(w, params)
	reasons(w, params) == {"KYC status is null, not approved"}
}

test_deny_blank_legal_name if {
	w := object.union(clean, {"name_last": "  "})
	not allowed(w, params)
	reasons(w, params) == {"KYC record has no legal name"}
}

# --- OFAC -------------------------------------------------------------------------------------

test_deny_sanctioned if {
	w := object.union(clean, {"sanctioned": true})
	not allowed(w, params)
	reasons(w, params) == {"sanctioned is true, not false"}
}

test_deny_sanctioned_flag_missing if {
	w := object.remove(clean, ["sanctioned"])
	not allowed(w, params)
	reasons(w, params) == {"sanctioned is null, not false"}
}

# --- fraud ------------------------------------------------------------------------------------

test_deny_risk_score_max_plus_one if {
	w := object.union(clean, {"risk_score": 5})
	not allowed(w, params)
	reasons(w, params) == {"risk_score 5 (number) is not a number <= max_risk_score 4"}
}

test_deny_risk_score_not_a_number if {
	w := object.union(clean, {"risk_score": "2"})
	not allowed(w, params)
	reasons(w, params) == {"risk_score 2 (string) is not a number <= max_risk_score 4"}
}

# --- oracle failure ---------------------------------------------------------------------------

test_deny_oracle_error if {
	w := object.union(clean, {"error": "persona: 503"})
	not allowed(w, params)
	reasons(w, params) == {"oracle error: persona: 503"}
}
