# Tests reference the policy as `data.sanctions.<rule>`. Two reasons:
#  - `listed` calls newton.confidential.blacklist.contains, a host builtin that reads the
#    caller's confidential data, which a test cannot supply; tests override the rule instead:
#    `with data.sanctions.listed as {...}` (a builtin itself cannot be mocked with `with`).
#  - in this engine a reference through a package import (`import data.sanctions` then
#    `sanctions.allow`) evaluates every rule of the package, `listed` included, so the builtin
#    would error even where the rule is overridden. `data.sanctions.allow` evaluates only what
#    it needs.
# Fixtures are bound to a local (`i := transfer(alice)`) before `with input as i`: this engine
# (regorus 0.14) yields undefined when a rule is referenced both inside a `with` value and in
# the expression it modifies, e.g. `sender == x with input as transfer(alice)`.
package sanctions_test

sender := "0xd232c8d0dc8069eba108954a5f2307752547df1a"

usdc := "0x1c7d4b196cb0c7b01d743fbc6116a902379c7238"

alice := "0x8f86403a4de0bb5791fa46b8e795c547942fe4cf"

tornado_router := "0xd90e2f925da726b50c4ed8d0fb90ad053324f31b"

func(name, types) := {
	"name": name,
	"type": "function",
	"inputs": [{"name": sprintf("param%d", [i]), "type": t} | some i, t in types],
	"outputs": [],
	"stateMutability": "nonpayable",
}

call(to, name, types, args) := {
	"from": sender,
	"to": to,
	"value": "0",
	"data": "0x",
	"chain_id": "11155111",
	"function_signature": "0x",
	"function": func(name, types),
	"decoded_function_signature": sprintf("%s(%s)", [name, concat(",", types)]),
	"decoded_function_arguments": args,
}

transfer(recipient) := call(usdc, "transfer", ["address", "uint256"], [recipient, "5000000000"])

native_transfer(to) := {
	"from": sender,
	"to": to,
	"value": "1000000000000000000",
	"data": "0x",
	"chain_id": "11155111",
	"function_signature": "0x",
	"function": null,
	"decoded_function_signature": null,
	"decoded_function_arguments": [],
}

# --- who gets screened ------------------------------------------------------------------------

test_parties_of_transfer if {
	i := transfer(alice)
	data.sanctions.parties == {"from": sender, "to": usdc, "transfer.param0": alice} with input as i
}

test_parties_are_lowercased if {
	i := transfer("0x8F86403A4DE0BB5791FA46B8E795C547942FE4CF")
	p := data.sanctions.parties with input as i
	p["transfer.param0"] == alice
}

test_parties_of_transfer_from if {
	i := call(usdc, "transferFrom", ["address", "address", "uint256"], [tornado_router, alice, "1"])
	data.sanctions.parties == {
		"from": sender,
		"to": usdc,
		"transferFrom.param0": tornado_router,
		"transferFrom.param1": alice,
	} with input as i
}

test_parties_of_address_array if {
	i := call(usdc, "batchTransfer", ["address[]", "uint256"], [[alice, tornado_router], "1"])
	data.sanctions.parties == {
		"from": sender,
		"to": usdc,
		"batchTransfer.param0[0]": alice,
		"batchTransfer.param0[1]": tornado_router,
	} with input as i
}

test_parties_of_native_transfer if {
	i := native_transfer(alice)
	data.sanctions.parties == {"from": sender, "to": alice} with input as i
}

# --- decisions (blacklist hits given as facts) ------------------------------------------------

test_allow_when_nothing_listed if {
	i := transfer(alice)
	data.sanctions.allow with input as i with data.sanctions.listed as set()
	count(data.sanctions.deny) == 0 with input as i with data.sanctions.listed as set()
}

test_deny_listed_recipient if {
	i := transfer(tornado_router)
	listed := {tornado_router}
	not data.sanctions.allow with input as i with data.sanctions.listed as listed
	data.sanctions.deny == {sprintf("transfer.param0 %s is on the confidential blacklist", [tornado_router])}
		with input as i
		with data.sanctions.listed as listed
}

test_deny_listed_sender if {
	i := transfer(alice)
	listed := {sender}
	not data.sanctions.allow with input as i with data.sanctions.listed as listed
	data.sanctions.deny == {sprintf("from %s is on the confidential blacklist", [sender])}
		with input as i
		with data.sanctions.listed as listed
}

test_deny_listed_target_contract if {
	i := native_transfer(tornado_router)
	listed := {tornado_router}
	not data.sanctions.allow with input as i with data.sanctions.listed as listed
	data.sanctions.deny == {sprintf("to %s is on the confidential blacklist", [tornado_router])}
		with input as i
		with data.sanctions.listed as listed
}

test_deny_listed_token_owner_in_transfer_from if {
	i := call(usdc, "transferFrom", ["address", "address", "uint256"], [tornado_router, alice, "1"])
	listed := {tornado_router}
	not data.sanctions.allow with input as i with data.sanctions.listed as listed
	data.sanctions.deny == {sprintf("transferFrom.param0 %s is on the confidential blacklist", [tornado_router])}
		with input as i
		with data.sanctions.listed as listed
}

test_deny_listed_entry_of_address_array if {
	i := call(usdc, "batchTransfer", ["address[]", "uint256"], [[alice, tornado_router], "1"])
	listed := {tornado_router}
	not data.sanctions.allow with input as i with data.sanctions.listed as listed
}

test_deny_reports_every_listed_party if {
	i := transfer(alice)
	listed := {sender, alice}
	count(data.sanctions.deny) == 2 with input as i with data.sanctions.listed as listed
}

# --- the pure helpers -------------------------------------------------------------------------

test_flagged_is_case_insensitive if {
	data.sanctions.flagged({"to": "0xD90E2F925DA726B50C4ED8D0FB90AD053324F31B"}, {tornado_router}) == {"to"}
}

test_flagged_empty_when_no_hit if {
	data.sanctions.flagged({"from": sender, "to": usdc}, {tornado_router}) == set()
}

test_decide_allows_screened_clean_parties if {
	data.sanctions.decide({"from": sender, "to": usdc, "transfer.param0": alice}, {tornado_router})
}

test_decide_denies_with_no_parties if {
	not data.sanctions.decide({}, set())
}

test_deny_when_sender_missing if {
	# A raw input without `from` cannot be screened: fail closed.
	i := object.remove(transfer(alice), ["from"])
	not data.sanctions.allow with input as i with data.sanctions.listed as set()
}
