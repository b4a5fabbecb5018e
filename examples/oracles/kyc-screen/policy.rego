# KYC and sanctions screening of the intent's sender by the `kyc_screen` PolicyData oracle
# (oracle.js in this folder, run by the host over HTTP).
#
# data.wasm.kyc_screen: {address, sanctioned, sanctions_lists, kyc_status, country} or {error}
# data.params:          {blocked_countries: [ISO 3166-1 alpha-2, ...]}
#
# Allowed only when the oracle screened exactly input.from, found it on no sanctions list, its KYC
# is approved and its country is not blocked. A missing field or an oracle error denies.
package kyc_screen

default allow := false

allow if {
	screened
	count(deny) == 0
}

v := data.wasm.kyc_screen

screened if lower(v.address) == lower(input.from)

# Why the intent is refused (empty when allowed).
deny contains sprintf("oracle error: %v", [v.error]) if v.error

deny contains "no kyc_screen oracle output" if not v

deny contains sprintf("oracle screened %v, not the sender %v", [v.address, input.from]) if {
	not v.error
	not screened
}

deny contains sprintf("sender is on sanctions lists %v", [v.sanctions_lists]) if v.sanctioned == true

deny contains "sanctions status unknown" if {
	not v.error
	not v.sanctioned == false
	not v.sanctioned == true
}

deny contains sprintf("KYC status is %v, not approved", [v.kyc_status]) if {
	not v.error
	not v.kyc_status == "approved"
}

deny contains sprintf("country %v is blocked", [v.country]) if v.country in data.params.blocked_countries
