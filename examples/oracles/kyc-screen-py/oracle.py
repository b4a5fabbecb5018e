# PolicyData oracle `kyc_screen` in Python: the same screening as ../kyc-screen/oracle.js, with
# byte-identical output on the same fixtures (JSON.stringify's compact form, JS String() of values).
#
# wasm_args: {"kyc_screen": {"address": "0x…", "base_url": "https://…"}} (or the inner object alone).
# secrets:   {"KYC_API_KEY": "…"} (optional), sent as the X-API-Key header.
# output:    {"kyc_screen": {"address", "sanctioned", "sanctions_lists", "kyc_status", "country"}},
#            or {"kyc_screen": {"error": "…"}} on any failure, so the policy fails closed.
import json
import re

from componentize_py_types import Err
from wit_world.imports.http import HttpRequest, fetch
from wit_world.imports.secrets import get

PACK_ID = "kyc_screen"
MISSING = object()  # JS `undefined`: a field that is not there


def run(input: str) -> str:
    try:
        parsed = json.loads(input or "{}")
        args = field(parsed, PACK_ID)
        return dumps({PACK_ID: screen(parsed if args is MISSING or args is None else args, api_key())})
    except Err as err:
        return dumps({PACK_ID: {"error": str(err.value)}})
    except Exception as err:
        return dumps({PACK_ID: {"error": str(err)}})


def screen(args, key):
    address = field(args, "address")
    address = "" if address is MISSING or address is None else js_string(address).lower()
    if not re.fullmatch(r"0x[0-9a-f]{40}", address):
        raise ValueError("wasm_args.address must be a 0x-prefixed 20-byte hex address")
    base_url = field(args, "base_url")
    if not isinstance(base_url, str) or not re.match(r"https?://", base_url):
        raise ValueError("wasm_args.base_url must be an http(s) URL")
    base = f"{base_url.rstrip('/')}/v1/addresses/{address}"

    _, sanctions = get_json(f"{base}/sanctions", key, (200,))
    ids = field(sanctions, "identifications")
    lists = [js_string(field(i, "name")) for i in ([] if ids is MISSING or ids is None else ids)]
    status, kyc = get_json(f"{base}/kyc", key, (200, 404))
    country = None if status == 404 else field(kyc, "country")
    return {
        "address": address,
        "sanctioned": len(lists) > 0,
        "sanctions_lists": lists,
        "kyc_status": "none" if status == 404 else js_string(field(kyc, "status")),
        "country": None if country is MISSING else country,
    }


def get_json(url, key, ok_statuses):
    headers = [("accept", "application/json")]
    if key:
        headers.append(("x-api-key", key))
    res = fetch(HttpRequest(url=url, method="GET", headers=headers, body=None))
    if res.status not in ok_statuses:
        raise ValueError(f"GET {url}: HTTP {res.status}")
    return res.status, json.loads(res.body.decode("utf-8", errors="replace"))


def api_key():
    """KYC_API_KEY from the secrets scope, if any secrets were stored."""
    try:
        secrets = json.loads(get().value.decode("utf-8", errors="replace"))
        key = field(secrets, "KYC_API_KEY")
        return key if isinstance(key, str) else None
    except Exception:  # Err (no secrets stored) or not JSON
        return None


def field(value, name):
    return value.get(name, MISSING) if isinstance(value, dict) else MISSING


def js_string(value):
    """JavaScript's String(value) for JSON values."""
    if value is MISSING:
        return "undefined"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, list):
        return ",".join("" if v is None else js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def dumps(value):
    """JSON.stringify's output: compact, non-ASCII kept as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
