# KYC gate on the sender's linked identity (newton.identity.kyc.* builtins).
#
# Allows the intent only when the sender's KYC record is approved, the holder is at least
# data.params.min_age years old, the address country is in data.params.allowed_countries, and
# the identity document has not expired. Dates are measured against the caller-supplied
# reference date (`--reference-date` / `reference_date`), never the wall clock. An ERC-4626
# deposit/mint must credit the verified sender itself.
#
# With no identity data (or a missing field) the builtins error and the policy denies.
package kyc

default allow := false

allow if {
	params_ok
	every check in required_checks {
		identity_checks[check] == true
	}
	count(deny) == 0
}

# The identity facts, from the host builtins. Tests override this rule
# (`with data.kyc.identity_checks as {...}`), as the builtins read caller data tests cannot set.
identity_checks := {
	"approved": newton.identity.kyc.check_approved(),
	"min_age": newton.identity.kyc.age_gte(data.params.min_age),
	"allowed_country": newton.identity.kyc.address_in_countries(data.params.allowed_countries),
	"not_expired": newton.identity.kyc.not_expired(),
}

required_checks := {"approved", "min_age", "allowed_country", "not_expired"}

failure_message := {
	"approved": "KYC status is not approved",
	"min_age": sprintf("holder is younger than min_age %v", [data.params.min_age]),
	"allowed_country": "address country is not in allowed_countries",
	"not_expired": "identity document has expired",
}

# Why the intent is refused (empty when allowed).
deny contains "params: min_age must be a positive integer" if not min_age_ok

deny contains "params: allowed_countries must be a non-empty list of ISO 3166-1 alpha-2 codes" if {
	not countries_ok
}

deny contains failure_message[check] if {
	params_ok
	some check in required_checks
	object.get(identity_checks, check, false) != true
}

deny contains sprintf("%s receiver %s is not the verified sender", [input.function.name, receiver]) if {
	receiver != lower(input.from)
}

params_ok if {
	min_age_ok
	countries_ok
}

min_age_ok if {
	is_number(data.params.min_age)
	data.params.min_age >= 1
	data.params.min_age == floor(data.params.min_age)
}

countries_ok if {
	is_array(data.params.allowed_countries)
	count(data.params.allowed_countries) > 0
	every c in data.params.allowed_countries {
		is_string(c)
		regex.match(`^[A-Z]{2}$`, c)
	}
}

# ERC-4626 deposit(uint256 assets, address receiver) / mint(uint256 shares, address receiver).
receiver := lower(input.decoded_function_arguments[1]) if {
	input.function.name in {"deposit", "mint"}
	[p.type | some p in input.function.inputs] == ["uint256", "address"]
}
