# Gas-price ceiling from the `gas_price` PolicyData oracle (oracle.js in this folder, which asks the
# chain's JSON-RPC endpoint for eth_chainId and eth_gasPrice).
#
# data.wasm.gas_price: {chain_id: "<decimal>", wei: "<decimal>", gwei: <number>} or {error}
# data.params:         {max_gwei: <number > 0>}
#
# Allowed when the oracle read the intent's chain and its price is <= max_gwei. A price for another
# chain, a malformed price or an oracle error denies (fails closed).
package gas_price

default allow := false

allow if {
	gwei <= max_gwei
	count(deny) == 0
}

v := data.wasm.gas_price

gwei := v.gwei if {
	is_number(v.gwei)
	v.gwei >= 0
}

max_gwei := data.params.max_gwei if {
	is_number(data.params.max_gwei)
	data.params.max_gwei > 0
}

# Why the intent is refused (empty when allowed).
deny contains sprintf("oracle error: %v", [v.error]) if v.error

deny contains "no gas_price oracle output" if not v

deny contains sprintf("oracle read chain %v, the intent is on chain %v", [v.chain_id, input.chain_id]) if {
	not v.error
	v.chain_id != input.chain_id
}

deny contains "oracle has no valid gas price" if {
	not v.error
	not gwei
}

deny contains "params: max_gwei must be a positive number" if not max_gwei

deny contains sprintf("gas price %v gwei exceeds max_gwei %v", [gwei, max_gwei]) if gwei > max_gwei
