# Quickstart-style policy: an oracle (PolicyData WASM) screens an address, the policy binds that
# screening to the intent's decoded call and applies the client's switches.
#
# input:       `buy(address,uint256,uint32)` call; decoded_function_arguments[0] is the address
#              the oracle was asked about (uint256 arrives as a decimal string, uint32 as a number).
# data.wasm:   {address, kyc_status, name_first, name_last, sanctioned, risk_score, ...}
# data.params: {check_kyc, check_ofac, check_fraud, max_risk_score}
#
# Unlike the Newton quickstart (default allow := true minus deny rules) this is default-deny:
# a missing oracle field refuses the intent instead of slipping past a check.
package quickstart_style

default allow := false

allow if {
	screened_address_matches
	count(deny) == 0
}

# The oracle must have screened exactly the address the call acts on.
screened_address_matches if {
	input.function.inputs[0].type == "address"
	is_string(oracle("address"))
	lower(oracle("address")) == lower(input.decoded_function_arguments[0])
}

# Why the intent is refused (empty when allowed).
deny contains sprintf("oracle screened %v, but the call acts on %v", [oracle("address"), call_address]) if {
	not screened_address_matches
}

deny contains sprintf("KYC status is %v, not approved", [oracle("kyc_status")]) if {
	data.params.check_kyc == true
	oracle("kyc_status") != "approved"
}

deny contains "KYC record has no legal name" if {
	data.params.check_kyc == true
	not has_legal_name
}

deny contains sprintf("sanctioned is %v, not false", [oracle("sanctioned")]) if {
	data.params.check_ofac == true
	oracle("sanctioned") != false
}

deny contains sprintf("risk_score %v (%s) is not a number <= max_risk_score %v", [
	oracle("risk_score"),
	type_name(oracle("risk_score")),
	max_risk_score,
]) if {
	data.params.check_fraud == true
	not risk_acceptable
}

deny contains sprintf("oracle error: %v", [data.wasm.error]) if data.wasm.error

# A field of the oracle output, null when absent.
oracle(field) := object.get(data.wasm, field, null)

default call_address := null

call_address := input.decoded_function_arguments[0]

# Type checks first: builtin errors deny (strict mode), so a wrong-typed field never reaches one.
has_legal_name if {
	is_string(oracle("name_first"))
	is_string(oracle("name_last"))
	trim_space(oracle("name_first")) != ""
	trim_space(oracle("name_last")) != ""
}

risk_acceptable if {
	is_number(oracle("risk_score"))
	oracle("risk_score") <= max_risk_score
}

max_risk_score := object.get(data.params, "max_risk_score", 4)
