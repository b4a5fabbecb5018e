//! The operations on encoded points (compressed bytes in, compressed bytes or a verdict out), as
//! bindings and wire formats hold them. Malformed bytes are an error; a signature that does not
//! verify is `false`.

use crate::{PublicKey, Signature};
use newton_core::Result;

fn public_keys<B: AsRef<[u8]>>(list: &[B]) -> Result<Vec<PublicKey>> {
    list.iter().map(|b| PublicKey::from_bytes(b.as_ref())).collect()
}

fn signatures<B: AsRef<[u8]>>(list: &[B]) -> Result<Vec<Signature>> {
    list.iter().map(|b| Signature::from_bytes(b.as_ref())).collect()
}

pub fn verify(pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<bool> {
    let pk = PublicKey::from_bytes(pk)?;
    Ok(Signature::from_bytes(sig)?.verify(&pk, msg))
}

pub fn verify_possession(pk: &[u8], pop: &[u8]) -> Result<bool> {
    let pk = PublicKey::from_bytes(pk)?;
    Ok(pk.verify_possession(&Signature::from_bytes(pop)?).is_ok())
}

pub fn aggregate_signatures<B: AsRef<[u8]>>(sigs: &[B]) -> Result<Vec<u8>> {
    Ok(crate::aggregate_signatures(&signatures(sigs)?)?.to_bytes().to_vec())
}

pub fn aggregate_public_keys<B: AsRef<[u8]>>(pks: &[B]) -> Result<Vec<u8>> {
    Ok(crate::aggregate_public_keys(&public_keys(pks)?)?.to_bytes().to_vec())
}

pub fn fast_aggregate_verify<B: AsRef<[u8]>>(pks: &[B], msg: &[u8], sig: &[u8]) -> Result<bool> {
    Ok(crate::fast_aggregate_verify(&public_keys(pks)?, msg, &Signature::from_bytes(sig)?))
}

pub fn aggregate_verify<B: AsRef<[u8]>, M: AsRef<[u8]>>(pks: &[B], msgs: &[M], sig: &[u8]) -> Result<bool> {
    Ok(crate::aggregate_verify(&public_keys(pks)?, msgs, &Signature::from_bytes(sig)?))
}

/// `(public key, message, signature)` triples.
pub fn batch_verify<'a>(items: impl Iterator<Item = [&'a [u8]; 3]>) -> Result<bool> {
    let parsed = items
        .map(|[pk, msg, sig]| Ok((PublicKey::from_bytes(pk)?, msg, Signature::from_bytes(sig)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(crate::batch_verify(&parsed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretKey;

    #[test]
    fn bytes_in_verdicts_out() {
        let (a, b) = (SecretKey::generate(), SecretKey::generate());
        let (pa, pb) = (a.public_key().to_bytes(), b.public_key().to_bytes());
        let (sa, sb) = (a.sign(b"m").to_bytes(), b.sign(b"m").to_bytes());
        assert!(verify(&pa, b"m", &sa).unwrap());
        assert!(!verify(&pb, b"m", &sa).unwrap());
        assert!(verify(&pa[..47], b"m", &sa).is_err());
        assert!(verify_possession(&pa, &a.prove_possession().to_bytes()).unwrap());
        let agg = aggregate_signatures(&[sa, sb]).unwrap();
        assert!(fast_aggregate_verify(&[pa, pb], b"m", &agg).unwrap());
        let distinct = aggregate_signatures(&[a.sign(b"1").to_bytes(), b.sign(b"2").to_bytes()]).unwrap();
        assert!(aggregate_verify(&[pa, pb], &[b"1", b"2"], &distinct).unwrap());
        let apk = aggregate_public_keys(&[pa, pb]).unwrap();
        assert!(verify(&apk, b"m", &agg).unwrap());
        assert!(batch_verify([[&pa[..], &b"m"[..], &sa[..]], [&pb[..], &b"m"[..], &sb[..]]].into_iter()).unwrap());
        assert!(aggregate_signatures::<[u8; 96]>(&[]).is_err());
    }
}
