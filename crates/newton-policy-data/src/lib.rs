//! PolicyData host for `newton:provider` WASM components (WIT worlds under `wit/`).
