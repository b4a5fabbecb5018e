# Sanctions screening against the confidential blacklist (newton.confidential.* builtins).
#
# Every party to the intent is screened: the sender (input.from), the called contract
# (input.to) and every address the call passes as an argument (e.g. the recipient of an ERC-20
# transfer, both parties of transferFrom, the spender of approve, each entry of an address[]).
# The intent is denied when any of them is on the blacklist. With no blacklist data for the
# evaluation the builtin errors and the policy denies (fails closed).
package sanctions

default allow := false

allow if decide(parties, listed)

# Why the intent is refused (empty when allowed).
deny contains sprintf("%s %s is on the confidential blacklist", [role, parties[role]]) if {
	some role in flagged(parties, listed)
}

# role -> lowercase address of everyone the intent touches.
parties["from"] := lower(input.from)

parties["to"] := lower(input.to)

parties[sprintf("%s.%s", [input.function.name, param.name])] := lower(arg) if {
	some i, param in input.function.inputs
	param.type == "address"
	arg := input.decoded_function_arguments[i]
}

parties[sprintf("%s.%s[%d]", [input.function.name, param.name, j])] := lower(arg) if {
	some i, param in input.function.inputs
	param.type == "address[]"
	some j, arg in input.decoded_function_arguments[i]
}

# The screened addresses the blacklist contains (host builtin: case-insensitive, 0x-agnostic).
listed := {addr |
	some addr in parties
	newton.confidential.blacklist.contains(addr)
}

# --- pure decision logic (unit-tested with explicit facts) ------------------------------------

# The roles whose address is in `listed`.
flagged(parties, listed) := {role |
	some role, addr in parties
	lower(addr) in listed
}

decide(parties, listed) if {
	is_string(parties.from) # sender and target must both have been screened
	is_string(parties.to)
	count(flagged(parties, listed)) == 0
}
