//! Host bindings for both Newton worlds (generated from `wit/`), wired to [`RunState`].

use crate::http::{Request, Response};
use crate::state::{RunState, TLSN_UNSUPPORTED};

pub mod v0_2 {
    wasmtime::component::bindgen!({
        path: "wit/0.2.0",
        world: "newton-provider",
        imports: { default: trappable },
    });
}

pub mod v0_1 {
    wasmtime::component::bindgen!({
        path: "wit/0.1.0",
        world: "newton-provider",
        imports: { default: trappable },
    });
}

macro_rules! http_host {
    ($m:ident) => {
        impl $m::newton::provider::http::Host for RunState {
            fn fetch(
                &mut self,
                r: $m::newton::provider::http::HttpRequest,
            ) -> wasmtime::Result<Result<$m::newton::provider::http::HttpResponse, String>> {
                let req = Request { method: r.method, url: r.url, headers: r.headers, body: r.body };
                Ok(self.fetch(&req)?.map(|Response { status, headers, body }| {
                    $m::newton::provider::http::HttpResponse { status, headers, body }
                }))
            }
        }
    };
}

http_host!(v0_2);
http_host!(v0_1);

impl v0_2::newton::provider::secrets::Host for RunState {
    fn get(&mut self) -> wasmtime::Result<Result<v0_2::newton::provider::secrets::SecretResponse, String>> {
        Ok(self.secret_bytes().map(|value| v0_2::newton::provider::secrets::SecretResponse { value }))
    }
}

impl v0_2::newton::provider::tlsn::Host for RunState {
    fn verify_from_cid(&mut self, _proof_cid: String) -> wasmtime::Result<Result<v0_2::newton::provider::tlsn::VerifiedData, String>> {
        Ok(Err(TLSN_UNSUPPORTED.to_owned()))
    }

    fn verify(&mut self, _presentation: Vec<u8>) -> wasmtime::Result<Result<v0_2::newton::provider::tlsn::VerifiedData, String>> {
        Ok(Err(TLSN_UNSUPPORTED.to_owned()))
    }
}
