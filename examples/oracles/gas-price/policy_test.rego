package gas_price_test

import data.gas_price

sepolia := {"from": "0xd232c8d0dc8069eba108954a5f2307752547df1a", "chain_id": "11155111", "value": "50000000000000000"}

params := {"max_gwei": 20}

oracle(gwei) := {"gas_price": {"chain_id": "11155111", "wei": "12500000000", "gwei": gwei}}

test_allow_under_max if {
	gas_price.allow with input as sepolia with data.params as params with data.wasm as oracle(12.5)
	count(gas_price.deny) == 0 with input as sepolia with data.params as params with data.wasm as oracle(12.5)
}

test_allow_exactly_max if {
	gas_price.allow with input as sepolia with data.params as params with data.wasm as oracle(20)
}

test_allow_wei_precision_at_max if {
	p := {"max_gwei": 12.500000001}
	gas_price.allow with input as sepolia with data.params as p with data.wasm as oracle(12.500000001)
	not gas_price.allow with input as sepolia with data.params as {"max_gwei": 12.5} with data.wasm as oracle(12.500000001)
}

test_deny_over_max if {
	w := oracle(20.000000001)
	not gas_price.allow with input as sepolia with data.params as params with data.wasm as w
	gas_price.deny == {"gas price 20.000000001 gwei exceeds max_gwei 20"} with input as sepolia with data.params as params
		with data.wasm as w
}

test_deny_other_chain if {
	w := {"gas_price": {"chain_id": "1", "wei": "12500000000", "gwei": 12.5}}
	not gas_price.allow with input as sepolia with data.params as params with data.wasm as w
	gas_price.deny == {"oracle read chain 1, the intent is on chain 11155111"} with input as sepolia with data.params as params
		with data.wasm as w
}

test_deny_malformed_price if {
	every bad in ["12.5", -1, null] {
		not gas_price.allow with input as sepolia with data.params as params with data.wasm as oracle(bad)
	}
}

test_deny_oracle_error if {
	w := {"gas_price": {"error": "eth_gasPrice: upstream timeout"}}
	not gas_price.allow with input as sepolia with data.params as params with data.wasm as w
	gas_price.deny == {"oracle error: eth_gasPrice: upstream timeout"} with input as sepolia with data.params as params
		with data.wasm as w
}

test_deny_no_oracle_output if {
	not gas_price.allow with input as sepolia with data.params as params with data.wasm as {}
}

test_deny_invalid_max if {
	every bad in [0, -1, "20", null] {
		not gas_price.allow with input as sepolia with data.params as {"max_gwei": bad} with data.wasm as oracle(1)
	}
}
