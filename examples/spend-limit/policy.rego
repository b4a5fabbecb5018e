# ERC-20 spend limit: allow a `transfer(address,uint256)` only when
#   - the intent targets a chain in data.params.allowed_chains,
#   - the amount is <= data.params.max_amount (token base units),
#   - the recipient is not in data.params.blocked_recipients,
#   - no native value rides along with the token call.
#
# input       = Newton ParsedIntent (uint256 values and chain_id are decimal strings)
# data.params = params.json, validated against params_schema.json
package spend_limit

default allow := false

# The checks are stated positively here (an undefined value can only deny) and again as
# `deny` reasons below, which explain a refusal.
allow if {
	is_erc20_transfer
	chain_allowed
	uint_lte(amount, max_amount)
	is_address(recipient)
	not recipient in blocked_recipients
	input.value == "0"
	count(deny) == 0
}

# Every reason this intent is refused (empty when allowed).
deny contains "not an ERC-20 transfer(address,uint256) call" if not is_erc20_transfer

deny contains sprintf("chain %s is not in allowed_chains", [input.chain_id]) if not chain_allowed

deny contains "max_amount is not a non-negative integer" if not max_amount

deny contains sprintf("amount %v is not a uint256 decimal string", [input.decoded_function_arguments[1]]) if {
	is_erc20_transfer
	not amount
}

deny contains sprintf("amount %s exceeds max_amount %s", [amount, max_amount]) if {
	not uint_lte(amount, max_amount)
}

deny contains sprintf("recipient %v is not an address", [input.decoded_function_arguments[0]]) if {
	is_erc20_transfer
	not is_address(recipient)
}

deny contains sprintf("recipient %s is blocked", [recipient]) if recipient in blocked_recipients

deny contains "native value must be 0 for a token transfer" if {
	is_erc20_transfer
	input.value != "0"
}

is_erc20_transfer if {
	input.function.name == "transfer"
	[p.type | some p in input.function.inputs] == ["address", "uint256"]
	count(input.decoded_function_arguments) == 2
}

recipient := lower(input.decoded_function_arguments[0]) if {
	is_erc20_transfer
	is_string(input.decoded_function_arguments[0])
}

# Newton decodes uint256 to a decimal string; anything else in a raw input is refused.
amount := to_decimal(input.decoded_function_arguments[1]) if {
	is_erc20_transfer
	is_string(input.decoded_function_arguments[1])
}

max_amount := to_decimal(data.params.max_amount)

chain_allowed if {
	some chain in data.params.allowed_chains
	to_decimal(chain) == input.chain_id
}

blocked_recipients := {lower(a) | some a in object.get(data.params, "blocked_recipients", [])}

is_address(a) if regex.match(`^0x[0-9a-f]{40}$`, a)

# Canonical decimal string of a non-negative integer given as a decimal string or a JSON number.
# Leading zeros are dropped so that uint_lte can compare by length, then lexicographically.
to_decimal(x) := trim_zeros(x) if {
	is_string(x)
	regex.match(`^[0-9]+$`, x)
}

to_decimal(x) := format_int(x, 10) if {
	is_number(x)
	x >= 0
	x == floor(x)
}

trim_zeros(s) := t if {
	t := trim_left(s, "0")
	t != ""
} else := "0"

# a <= b for canonical decimal strings, exact for the whole uint256 range. (Comparing
# to_number(a) <= to_number(b) is not: numbers above 2^64 lose precision, so 10^21 + 1 would
# compare equal to 10^21, i.e. an 18-decimals token cap would be exceeded by 1 wei unnoticed.)
uint_lte(a, b) if count(a) < count(b)

uint_lte(a, b) if {
	count(a) == count(b)
	a <= b
}
