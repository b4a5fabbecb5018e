# Gas-price ceiling driven by a PolicyData oracle (data.wasm).
#
# The oracle WASM reports the current gas price per chain, in gwei, keyed by decimal chain id:
#   data.wasm = {"gas_price_gwei": {"11155111": 12.5, "8453": 0.012}}
# The intent is allowed when the price for input.chain_id is <= data.params.max_gwei. A missing
# price, a malformed price or an oracle error (`{"error": "..."}`) denies (fails closed).
package max_gas_price

default allow := false

allow if {
	gas_price <= max_gwei
	count(deny) == 0
}

gas_price := data.wasm.gas_price_gwei[input.chain_id] if {
	is_number(data.wasm.gas_price_gwei[input.chain_id])
	data.wasm.gas_price_gwei[input.chain_id] >= 0
}

max_gwei := data.params.max_gwei if {
	is_number(data.params.max_gwei)
	data.params.max_gwei > 0
}

# Why the intent is refused (empty when allowed).
deny contains sprintf("oracle error: %v", [data.wasm.error]) if data.wasm.error

deny contains sprintf("oracle has no valid gas price for chain %s", [input.chain_id]) if not gas_price

deny contains "params: max_gwei must be a positive number" if not max_gwei

deny contains sprintf("gas price %v gwei on chain %s exceeds max_gwei %v", [gas_price, input.chain_id, max_gwei]) if {
	gas_price > max_gwei
}
