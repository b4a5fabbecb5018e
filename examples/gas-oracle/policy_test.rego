package max_gas_price_test

import data.max_gas_price

params := {"max_gwei": 20}

oracle := {"gas_price_gwei": {"1": 18.4, "11155111": 12.5, "8453": 0.012}}

# ParsedIntent of a plain 0.05 ETH transfer on `chain`.
native_transfer(chain) := {
	"from": "0xd232c8d0dc8069eba108954a5f2307752547df1a",
	"to": "0x8f86403a4de0bb5791fa46b8e795c547942fe4cf",
	"value": "50000000000000000",
	"data": "0x",
	"chain_id": chain,
	"function_signature": "0x",
	"function": null,
	"decoded_function_signature": null,
	"decoded_function_arguments": [],
}

sepolia := native_transfer("11155111")

with_price(chain, gwei) := {"gas_price_gwei": {chain: gwei}}

# --- allow ------------------------------------------------------------------------------------

test_allow_price_under_max if {
	max_gas_price.allow with input as sepolia with data.params as params with data.wasm as oracle
	count(max_gas_price.deny) == 0 with input as sepolia with data.params as params with data.wasm as oracle
}

test_allow_price_exactly_max if {
	w := with_price("11155111", 20)
	max_gas_price.allow with input as sepolia with data.params as params with data.wasm as w
}

test_allow_fractional_price_exactly_max if {
	w := with_price("8453", 0.012)
	i := native_transfer("8453")
	max_gas_price.allow with input as i with data.params as {"max_gwei": 0.012} with data.wasm as w
}

test_allow_zero_price if {
	w := with_price("11155111", 0)
	max_gas_price.allow with input as sepolia with data.params as params with data.wasm as w
}

test_uses_the_intents_chain if {
	# Mainnet is at 18.4 gwei: allowed at max 20, refused at max 15 while Sepolia (12.5) passes.
	mainnet := native_transfer("1")
	max_gas_price.allow with input as mainnet with data.params as params with data.wasm as oracle
	not max_gas_price.allow with input as mainnet with data.params as {"max_gwei": 15} with data.wasm as oracle
	max_gas_price.allow with input as sepolia with data.params as {"max_gwei": 15} with data.wasm as oracle
}

# --- price over the ceiling -------------------------------------------------------------------

test_deny_price_just_over_max if {
	w := with_price("11155111", 20.000001)
	not max_gas_price.allow with input as sepolia with data.params as params with data.wasm as w
	max_gas_price.deny == {"gas price 20.000001 gwei on chain 11155111 exceeds max_gwei 20"}
		with input as sepolia
		with data.params as params
		with data.wasm as w
}

test_deny_price_one_gwei_over_max if {
	w := with_price("11155111", 21)
	not max_gas_price.allow with input as sepolia with data.params as params with data.wasm as w
}

# --- oracle output ----------------------------------------------------------------------------

test_deny_chain_missing_from_oracle if {
	i := native_transfer("84532")
	not max_gas_price.allow with input as i with data.params as params with data.wasm as oracle
	max_gas_price.deny == {"oracle has no valid gas price for chain 84532"}
		with input as i
		with data.params as params
		with data.wasm as oracle
}

test_deny_malformed_price if {
	every bad in ["12.5", -1, null, {"gwei": 12.5}] {
		w := with_price("11155111", bad)
		not max_gas_price.allow with input as sepolia with data.params as params with data.wasm as w
		max_gas_price.deny == {"oracle has no valid gas price for chain 11155111"}
			with input as sepolia
			with data.params as params
			with data.wasm as w
	}
}

test_deny_oracle_error if {
	w := {"error": "upstream RPC timed out"}
	not max_gas_price.allow with input as sepolia with data.params as params with data.wasm as w
	"oracle error: upstream RPC timed out" in max_gas_price.deny with input as sepolia with data.params as params
		with data.wasm as w
}

test_deny_oracle_error_even_with_a_price if {
	w := object.union(oracle, {"error": "stale feed"})
	not max_gas_price.allow with input as sepolia with data.params as params with data.wasm as w
}

test_deny_no_oracle_data if {
	not max_gas_price.allow with input as sepolia with data.params as params with data.wasm as {}
}

# --- params -----------------------------------------------------------------------------------

test_deny_invalid_max_gwei if {
	every bad in [0, -5, "20", null] {
		p := {"max_gwei": bad}
		not max_gas_price.allow with input as sepolia with data.params as p with data.wasm as oracle
		max_gas_price.deny == {"params: max_gwei must be a positive number"}
			with input as sepolia
			with data.params as p
			with data.wasm as oracle
	}
}
