//! The gateway's request signature: it recovers to the gateway's address, and to another address
//! when any signed field changed; malformed signatures are Unauthorized.

use alloy_primitives::{Address, B256};
use k256::ecdsa::SigningKey;
use newton_core::ErrorCode;
use newton_operator::{recover_request_signer, sign_request, RequestClaims};

const SECRET: [u8; 32] = [7; 32];

fn claims(params_text: &str) -> RequestClaims<'_> {
    RequestClaims {
        method: "newt_fetchPolicyData",
        task_id: B256::repeat_byte(0xab),
        operator_id: B256::repeat_byte(0x01),
        params_text,
        issued_at: 1_700_000_000_000,
        deadline: 1_700_000_060_000,
    }
}

#[test]
fn a_signed_request_recovers_to_the_gateway_and_any_change_to_another_address() {
    let gateway = Address::from_private_key(&SigningKey::from_slice(&SECRET).unwrap());
    let signature = sign_request(&SECRET, &claims("{\"task\":1}")).unwrap();
    assert!(signature[64] == 27 || signature[64] == 28);
    assert_eq!(recover_request_signer(&claims("{\"task\":1}"), &signature).unwrap(), gateway);
    assert_ne!(recover_request_signer(&claims("{\"task\":2}"), &signature).unwrap(), gateway);
    let later = RequestClaims { deadline: 1_700_000_060_001, ..claims("{\"task\":1}") };
    assert_ne!(recover_request_signer(&later, &signature).unwrap(), gateway);
    let other = RequestClaims { operator_id: B256::repeat_byte(0x02), ..claims("{\"task\":1}") };
    assert_ne!(recover_request_signer(&other, &signature).unwrap(), gateway);
}

#[test]
fn malformed_signatures_and_keys_are_refused_with_codes() {
    let c = claims("{}");
    assert_eq!(recover_request_signer(&c, &[0; 64]).unwrap_err().code, ErrorCode::Unauthorized);
    assert_eq!(recover_request_signer(&c, &[0; 65]).unwrap_err().code, ErrorCode::Unauthorized);
    assert_eq!(sign_request(&[0; 32], &c).unwrap_err().code, ErrorCode::InvalidArgument);
    assert_eq!(sign_request(&[1; 31], &c).unwrap_err().code, ErrorCode::InvalidArgument);
}
