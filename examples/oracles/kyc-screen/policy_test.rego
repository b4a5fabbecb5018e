package kyc_screen_test

import data.kyc_screen

sender := "0xd232c8d0dc8069eba108954a5f2307752547df1a"

intent := {"from": "0xD232c8d0dc8069eba108954a5f2307752547df1a", "to": "0x8f86403a4de0bb5791fa46b8e795c547942fe4cf"}

params := {"blocked_countries": ["KP", "IR"]}

clean := {"kyc_screen": {
	"address": sender,
	"sanctioned": false,
	"sanctions_lists": [],
	"kyc_status": "approved",
	"country": "US",
}}

with_field(key, value) := {"kyc_screen": object.union(clean.kyc_screen, {key: value})}

denies(w) if {
	not kyc_screen.allow with input as intent with data.params as params with data.wasm as w
	count(kyc_screen.deny) > 0 with input as intent with data.params as params with data.wasm as w
}

test_allow_clean_approved_sender if {
	kyc_screen.allow with input as intent with data.params as params with data.wasm as clean
	count(kyc_screen.deny) == 0 with input as intent with data.params as params with data.wasm as clean
}

test_allow_checksummed_oracle_address if {
	w := with_field("address", "0xD232C8D0DC8069EBA108954A5F2307752547DF1A")
	kyc_screen.allow with input as intent with data.params as params with data.wasm as w
}

test_deny_sanctioned if {
	w := object.union(clean, {"kyc_screen": object.union(clean.kyc_screen, {"sanctioned": true, "sanctions_lists": ["SANCTIONS: OFAC SDN List"]})})
	denies(w)
	kyc_screen.deny == {`sender is on sanctions lists ["SANCTIONS: OFAC SDN List"]`}
		with input as intent
		with data.params as params
		with data.wasm as w
}

test_deny_sanctions_unknown if {
	every bad in [null, "false", 0] {
		denies(with_field("sanctioned", bad))
	}
}

test_deny_kyc_not_approved if {
	every status in ["pending", "rejected", "none", null] {
		denies(with_field("kyc_status", status))
	}
}

test_deny_blocked_country if {
	w := with_field("country", "KP")
	denies(w)
	kyc_screen.deny == {"country KP is blocked"} with input as intent with data.params as params with data.wasm as w
}

test_allow_null_country_when_approved if {
	w := with_field("country", null)
	kyc_screen.allow with input as intent with data.params as params with data.wasm as w
}

test_deny_other_address_screened if {
	w := with_field("address", "0x8f86403a4de0bb5791fa46b8e795c547942fe4cf")
	denies(w)
}

test_deny_oracle_error if {
	w := {"kyc_screen": {"error": "GET https://screening.example.com/v1/addresses/x/sanctions: HTTP 500"}}
	denies(w)
	kyc_screen.deny == {"oracle error: GET https://screening.example.com/v1/addresses/x/sanctions: HTTP 500"}
		with input as intent
		with data.params as params
		with data.wasm as w
}

test_deny_no_oracle_output if {
	denies({})
	denies({"other_pack": clean.kyc_screen})
}
