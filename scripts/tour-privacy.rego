package tour_privacy

import rego.v1

default allow := false

# KYC-approved adults, never to a blacklisted address.
allow if {
	newton.identity.kyc.check_approved()
	newton.identity.kyc.age_gte(18)
	not newton.confidential.blacklist.contains(input.to)
}
