//! DPoP proofs (RFC 9449) for Sign-In's `CreateOAuth2Token`: a JWT naming the request's
//! method and URL, signed with ES256 by the console sign-in session's P-256 key. Signing and
//! randomness are `ring`'s; this module only reads the key's PEM and writes the JWT.

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

use crate::credentials::Clock;
use crate::error::BoxError;
use crate::primitives::Blob;

/// A P-256 key pair.
pub(super) struct Key(EcdsaKeyPair);

impl Key {
    /// Reads a SEC1 (`EC PRIVATE KEY`, with its public key, as OpenSSL and the AWS CLI write
    /// it) or PKCS#8 (`PRIVATE KEY`) PEM document.
    pub(super) fn from_pem(pem: &str) -> Result<Self, String> {
        let (label, der) = pem_body(pem).ok_or("the session's dpopKey is not a PEM private key")?;
        let rng = SystemRandom::new();
        let pair = if label == "PRIVATE KEY" {
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &rng)
                .map_err(|error| format!("the session's dpopKey is not a P-256 key ({error})"))?
        } else {
            let (private, public) =
                sec1_parts(&der).ok_or("the session's dpopKey is not a SEC1 P-256 key with its public key")?;
            EcdsaKeyPair::from_private_key_and_public_key(&ECDSA_P256_SHA256_FIXED_SIGNING, private, public, &rng)
                .map_err(|error| format!("the session's dpopKey is not a P-256 key ({error})"))?
        };
        Ok(Self(pair))
    }
}

/// Adds a `DPoP` header to each request it sees.
pub(super) struct Proof {
    pub(super) key: Arc<Key>,
    pub(super) clock: Clock,
}

impl crate::client::Interceptor for Proof {
    fn modify_request(
        &self,
        request: &mut http::Request<Vec<u8>>,
        _: &crate::client::RequestContext,
    ) -> Result<(), BoxError> {
        let rng = SystemRandom::new();
        let public = self.key.0.public_key().as_ref();
        // An uncompressed point: 0x04, X, Y.
        if public.len() != 65 {
            return Err("the DPoP key's public key is not an uncompressed P-256 point".into());
        }
        let header = serde_json::json!({
            "typ": "dpop+jwt",
            "alg": "ES256",
            "jwk": {"kty": "EC", "x": base64url(&public[1..33]), "y": base64url(&public[33..]), "crv": "P-256"},
        });
        let mut id = [0u8; 16];
        rng.fill(&mut id).map_err(|_| "no randomness for the DPoP proof")?;
        // A version 4 UUID.
        id[6] = (id[6] & 0x0f) | 0x40;
        id[8] = (id[8] & 0x3f) | 0x80;
        let hex: String = id.iter().map(|byte| format!("{byte:02x}")).collect();
        let jti = format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        );
        let issued = (self.clock)().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let payload = serde_json::json!({
            "jti": jti,
            "htm": request.method().as_str(),
            "htu": request.uri().to_string(),
            "iat": issued,
        });
        let signed = format!(
            "{}.{}",
            base64url(header.to_string().as_bytes()),
            base64url(payload.to_string().as_bytes())
        );
        let signature = self
            .key
            .0
            .sign(&rng, signed.as_bytes())
            .map_err(|_| "signing the DPoP proof failed")?;
        let proof = format!("{signed}.{}", base64url(signature.as_ref()));
        request
            .headers_mut()
            .insert("dpop", http::HeaderValue::try_from(proof)?);
        Ok(())
    }
}

/// Base64url without padding (RFC 7515).
fn base64url(bytes: &[u8]) -> String {
    Blob::new(bytes.to_vec())
        .to_base64()
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// The label and bytes of the first PEM block.
fn pem_body(pem: &str) -> Option<(String, Vec<u8>)> {
    let start = pem.find("-----BEGIN ")?;
    let rest = &pem[start + "-----BEGIN ".len()..];
    let (label, rest) = rest.split_once("-----")?;
    let end = rest.find(&format!("-----END {label}-----"))?;
    let text: String = rest[..end].chars().filter(|c| !c.is_whitespace()).collect();
    Some((label.to_owned(), Blob::from_base64(&text)?.into_inner()))
}

/// One DER element at the start of `der`: its tag, its contents, and what follows it.
fn element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81 => (usize::from(*rest.first()?), &rest[1..]),
        0x82 => (
            usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?])),
            &rest[2..],
        ),
        _ => return None,
    };
    (rest.len() >= length).then(|| (tag, &rest[..length], &rest[length..]))
}

/// The private scalar and the public point of a SEC1 `ECPrivateKey`:
/// `SEQUENCE { version 1, OCTET STRING key, [0] parameters OPTIONAL, [1] BIT STRING public }`.
fn sec1_parts(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (0x30, mut body, _) = element(der)? else {
        return None;
    };
    let (0x02, [1], rest) = element(body)? else {
        return None;
    };
    let (0x04, private, rest) = element(rest)? else {
        return None;
    };
    body = rest;
    while !body.is_empty() {
        let (tag, contents, rest) = element(body)?;
        if tag == 0xa1 {
            let (0x03, bits, _) = element(contents)? else {
                return None;
            };
            // The unused-bits count of a whole number of bytes.
            let (&0, point) = bits.split_first()? else {
                return None;
            };
            return Some((private, point));
        }
        body = rest;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key made with `openssl ecparam -name prime256v1 -genkey -noout`.
    const KEY: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIFuxaPExYH22qXX4XDQcSFtUPQPJyJEvHDyeJmjDnJWfoAoGCCqGSM49
AwEHoUQDQgAE02Jsl9FQ3WL2jpgFyCzDYis6kDOtuDA4f5HKWhe7FT+6w1i4SvR1
QMg08LI/VTeVAzx6W79mWJCSmlf46NEMgg==
-----END EC PRIVATE KEY-----
";

    #[test]
    fn a_sec1_key_signs_a_proof_that_names_the_request() {
        let key = Key::from_pem(KEY).expect("a P-256 key");
        let proof = Proof {
            key: Arc::new(key),
            clock: Arc::new(|| UNIX_EPOCH + std::time::Duration::from_secs(1_763_510_400)),
        };
        let mut request = http::Request::post("https://us-east-1.signin.aws.amazon.com/v1/token")
            .body(Vec::new())
            .unwrap();
        let context = crate::client::RequestContext {
            service: &crate::aws::signin::schema::SERVICE,
            operation: &crate::aws::signin::schema::CREATE_O_AUTH2_TOKEN,
        };
        crate::client::Interceptor::modify_request(&proof, &mut request, &context).unwrap();
        let jwt = request.headers()["dpop"].to_str().unwrap().to_owned();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let decode = |part: &str| {
            let mut text = part.replace('-', "+").replace('_', "/");
            while text.len() % 4 != 0 {
                text.push('=');
            }
            Blob::from_base64(&text).unwrap().into_inner()
        };
        let payload: serde_json::Value = serde_json::from_slice(&decode(parts[1])).unwrap();
        assert_eq!(payload["htm"], "POST");
        assert_eq!(payload["htu"], "https://us-east-1.signin.aws.amazon.com/v1/token");
        assert_eq!(payload["iat"], 1_763_510_400);
        let header: serde_json::Value = serde_json::from_slice(&decode(parts[0])).unwrap();
        assert_eq!(header["alg"], "ES256");
        // The signature verifies with the public key the header names.
        let x = decode(header["jwk"]["x"].as_str().unwrap());
        let y = decode(header["jwk"]["y"].as_str().unwrap());
        let mut point = vec![4u8];
        point.extend(x);
        point.extend(y);
        let signature = decode(parts[2]);
        assert_eq!(signature.len(), 64);
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, point)
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .expect("the proof verifies");
    }

    #[test]
    fn keys_that_are_not_p256_pem_are_refused() {
        assert!(Key::from_pem("not a key").is_err());
        assert!(Key::from_pem("-----BEGIN EC PRIVATE KEY-----\ntest\n-----END EC PRIVATE KEY-----\n").is_err());
    }
}
