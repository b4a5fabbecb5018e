//! [`Runtime`]: what every run of every module shares — the engine and its epoch ticker, the
//! config, the HTTP client and the instance slots. Modules hold it, so they outlive their host.

use crate::engine::{self, Ticker};
use crate::http::{guard::AllowList, HttpClient};
use crate::slots::Slots;
use crate::HostConfig;
use newton_core::{Error, Result};
use std::sync::Arc;
use wasmtime::Engine;

pub(crate) struct Runtime {
    pub engine: Engine,
    pub config: HostConfig,
    pub http: Arc<HttpClient>,
    pub slots: Slots,
    _ticker: Ticker,
}

impl Runtime {
    pub fn new(config: HostConfig) -> Result<Self> {
        config.check()?;
        let allow = AllowList::parse(&config.allow_hosts).map_err(Error::invalid_argument)?;
        let engine = engine::build(&config)?;
        Ok(Self {
            _ticker: Ticker::start(&engine)?,
            http: Arc::new(HttpClient::new(allow)),
            slots: Slots::new(config.instances()),
            engine,
            config,
        })
    }
}
