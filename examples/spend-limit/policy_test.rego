package spend_limit_test

import data.spend_limit

# --- fixtures ---------------------------------------------------------------------------------
# Build a fixture into a local (`i := transfer(...)`) before `with input as i` when the tested
# expression could reference the same rules as the fixture: regorus 0.14 yields undefined when
# one rule is referenced both inside a `with` value and in the expression it modifies.

params := {
	"max_amount": "1000000000", # 1,000 USDC (6 decimals)
	"allowed_chains": ["11155111", "84532"],
	"blocked_recipients": ["0x000000000000000000000000000000000000dEaD"],
}

usdc_sepolia := "0x1c7d4b196cb0c7b01d743fbc6116a902379c7238"

alice := "0x8f86403a4de0bb5791fa46b8e795c547942fe4cf"

# The ParsedIntent Newton builds for USDC.transfer(recipient, amount) on chain `chain`.
transfer(recipient, amount, chain) := {
	"from": "0xd232c8d0dc8069eba108954a5f2307752547df1a",
	"to": usdc_sepolia,
	"value": "0",
	"data": "0xa9059cbb",
	"chain_id": chain,
	"function_signature": "0x7472616e7366657228616464726573732c75696e7432353629",
	"function": {
		"name": "transfer",
		"type": "function",
		"inputs": [{"name": "param0", "type": "address"}, {"name": "param1", "type": "uint256"}],
		"outputs": [],
		"stateMutability": "nonpayable",
	},
	"decoded_function_signature": "transfer(address,uint256)",
	"decoded_function_arguments": [recipient, amount],
}

ok_transfer := transfer(alice, "250000000", "11155111")

# --- allow ------------------------------------------------------------------------------------

test_allow_transfer_under_limit if {
	spend_limit.allow with input as ok_transfer with data.params as params
}

test_allow_amount_exactly_max if {
	spend_limit.allow with input as transfer(alice, "1000000000", "11155111") with data.params as params
}

test_allow_zero_amount if {
	spend_limit.allow with input as transfer(alice, "0", "84532") with data.params as params
}

test_allow_second_allowed_chain if {
	spend_limit.allow with input as transfer(alice, "1", "84532") with data.params as params
}

test_allow_max_amount_as_json_number if {
	spend_limit.allow with input as transfer(alice, "1000000000", "11155111")
		with data.params as object.union(params, {"max_amount": 1000000000})
}

test_allow_allowed_chains_as_numbers if {
	spend_limit.allow with input as ok_transfer
		with data.params as object.union(params, {"allowed_chains": [11155111]})
}

test_allow_named_signature_form if {
	# `function transfer(address recipient, uint256 amount)` parses to named inputs.
	named := object.union(ok_transfer, {"function": object.union(ok_transfer.function, {"inputs": [
		{"name": "recipient", "type": "address"},
		{"name": "amount", "type": "uint256"},
	]})})
	spend_limit.allow with input as named with data.params as params
}

test_no_deny_reasons_when_allowed if {
	count(spend_limit.deny) == 0 with input as ok_transfer with data.params as params
}

# --- amount -----------------------------------------------------------------------------------

test_deny_amount_max_plus_one if {
	not spend_limit.allow with input as transfer(alice, "1000000001", "11155111") with data.params as params
	spend_limit.deny == {"amount 1000000001 exceeds max_amount 1000000000"} with input as transfer(alice, "1000000001", "11155111")
		with data.params as params
}

test_deny_amount_with_more_digits if {
	# "10000000000" < "9" as strings; amounts are compared by length first.
	i := transfer(alice, "10000000000", "11155111")
	not spend_limit.allow with input as i with data.params as params
	spend_limit.deny == {"amount 10000000000 exceeds max_amount 1000000000"} with input as i with data.params as params
}

test_allow_shorter_amount_that_sorts_after_max if {
	# "999999999" > "1000000000" as strings, but not as integers.
	spend_limit.allow with input as transfer(alice, "999999999", "11155111") with data.params as params
}

test_18_decimals_cap_exact_beyond_2_pow_64 if {
	# 1,000 tokens at 18 decimals = 10^21 base units, above 2^64: max+1 must still be refused.
	p := object.union(params, {"max_amount": "1000000000000000000000"})
	spend_limit.allow with input as transfer(alice, "1000000000000000000000", "11155111") with data.params as p
	not spend_limit.allow with input as transfer(alice, "1000000000000000000001", "11155111") with data.params as p
}

test_uint256_max_amount if {
	max_u256 := "115792089237316195423570985008687907853269984665640564039457584007913129639935"
	p := object.union(params, {"max_amount": max_u256})
	spend_limit.allow with input as transfer(alice, max_u256, "11155111") with data.params as p
}

test_max_amount_leading_zeros_are_ignored if {
	spend_limit.allow with input as transfer(alice, "1000000000", "11155111")
		with data.params as object.union(params, {"max_amount": "0001000000000"})
}

test_deny_when_max_amount_malformed if {
	# Fails closed (params_schema.json rejects such params before evaluation anyway).
	every bad in ["1e9", "", "-1", 1.5, -1, true] {
		p := object.union(params, {"max_amount": bad})
		not spend_limit.allow with input as ok_transfer with data.params as p
		spend_limit.deny == {"max_amount is not a non-negative integer"} with input as ok_transfer with data.params as p
	}
}

test_deny_malformed_amount if {
	# Only a raw `input` can carry these; Newton's parser always yields a decimal string.
	every bad in ["abc", "-5", "", 5, null] {
		i := transfer(alice, bad, "11155111")
		not spend_limit.allow with input as i with data.params as params
		spend_limit.deny == {sprintf("amount %v is not a uint256 decimal string", [bad])} with input as i
			with data.params as params
	}
}

# --- recipient --------------------------------------------------------------------------------

test_deny_blocked_recipient_case_insensitive if {
	dead := "0x000000000000000000000000000000000000dead"
	not spend_limit.allow with input as transfer(dead, "1", "11155111") with data.params as params
	spend_limit.deny == {sprintf("recipient %s is blocked", [dead])} with input as transfer(dead, "1", "11155111")
		with data.params as params
}

test_deny_blocked_recipient_checksummed_input if {
	i := transfer("0x000000000000000000000000000000000000DEAD", "1", "11155111")
	not spend_limit.allow with input as i with data.params as params
	spend_limit.deny == {"recipient 0x000000000000000000000000000000000000dead is blocked"} with input as i
		with data.params as params
}

test_deny_malformed_recipient if {
	every bad in ["0x1234", "alice.eth", 42] {
		i := transfer(bad, "1", "11155111")
		not spend_limit.allow with input as i with data.params as params
		spend_limit.deny == {sprintf("recipient %v is not an address", [bad])} with input as i with data.params as params
	}
}

test_allow_with_empty_blocklist if {
	spend_limit.allow with input as transfer("0x000000000000000000000000000000000000dead", "1", "11155111")
		with data.params as object.union(params, {"blocked_recipients": []})
}

# --- chain ------------------------------------------------------------------------------------

test_deny_when_params_missing if {
	not spend_limit.allow with input as ok_transfer with data.params as {}
	spend_limit.deny == {
		"chain 11155111 is not in allowed_chains",
		"max_amount is not a non-negative integer",
	} with input as ok_transfer with data.params as {}
}

test_deny_chain_not_allowed if {
	mainnet := transfer(alice, "1", "1")
	not spend_limit.allow with input as mainnet with data.params as params
	spend_limit.deny == {"chain 1 is not in allowed_chains"} with input as mainnet with data.params as params
}

# --- call shape -------------------------------------------------------------------------------

test_deny_native_value_attached if {
	with_value := object.union(ok_transfer, {"value": "1"})
	not spend_limit.allow with input as with_value with data.params as params
	spend_limit.deny == {"native value must be 0 for a token transfer"} with input as with_value with data.params as params
}

test_deny_other_function if {
	approve := object.union(ok_transfer, {
		"function": object.union(ok_transfer.function, {"name": "approve"}),
		"decoded_function_signature": "approve(address,uint256)",
	})
	not spend_limit.allow with input as approve with data.params as params
	"not an ERC-20 transfer(address,uint256) call" in spend_limit.deny with input as approve with data.params as params
}

test_deny_plain_native_transfer if {
	eth := {
		"from": "0xd232c8d0dc8069eba108954a5f2307752547df1a",
		"to": alice,
		"value": "1000000000000000000",
		"data": "0x",
		"chain_id": "11155111",
		"function_signature": "0x",
		"function": null,
		"decoded_function_signature": null,
		"decoded_function_arguments": [],
	}
	not spend_limit.allow with input as eth with data.params as params
	spend_limit.deny == {"not an ERC-20 transfer(address,uint256) call"} with input as eth with data.params as params
}

test_every_violation_reported if {
	bad := object.union(transfer("0x000000000000000000000000000000000000dead", "1000000001", "1"), {"value": "5"})
	count(spend_limit.deny) == 4 with input as bad with data.params as params
}
