//! Compiled artifacts on disk, keyed by content hash + engine fingerprint, in a directory this
//! host owns (0700). Only files this code wrote there are ever deserialized; callers can never
//! hand the host precompiled code.
#![allow(unsafe_code)] // `Component::deserialize` is unsafe; see `load` for why this use is sound.

use newton_core::{Error, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use wasmtime::component::Component;
use wasmtime::Engine;

pub(crate) struct ArtifactCache {
    dir: PathBuf,
    fingerprint: String,
}

impl ArtifactCache {
    /// Creates `dir` if needed and restricts it to its owner (chmod fails for a directory this
    /// user does not own, which refuses it).
    pub fn open(dir: &Path, fingerprint: String) -> Result<Self> {
        let io = |what: &str, e: std::io::Error| {
            Error::new(newton_core::ErrorCode::Io, format!("policy data cache dir {}: {what}: {e}", dir.display()))
        };
        fs::create_dir_all(dir).map_err(|e| io("create", e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| io("chmod 0700", e))?;
        }
        Ok(Self { dir: dir.to_path_buf(), fingerprint })
    }

    fn path(&self, hash: &str) -> PathBuf {
        self.dir.join(format!("{hash}-{}.cwasm", self.fingerprint))
    }

    /// The artifact for `hash`, if this host wrote one. A file that fails to load is removed.
    pub fn load(&self, engine: &Engine, hash: &str) -> Option<Component> {
        let path = self.path(hash);
        let meta = fs::symlink_metadata(&path).ok()?;
        if !meta.file_type().is_file() {
            return None;
        }
        // Read into memory rather than mmap the file: a file changed while mapped would fault.
        let bytes = fs::read(&path).ok()?;
        // SAFETY: `deserialize` requires bytes produced by `Component::serialize` of a
        // compatible engine, unmodified. Files under this name are only ever written by `store`
        // below (whole, via rename) into a directory restricted to this user, named by the
        // source's sha256 and the engine's compatibility fingerprint; wasmtime additionally
        // checks the artifact's header, version and engine configuration before using it.
        match unsafe { Component::deserialize(engine, &bytes) } {
            Ok(component) => Some(component),
            Err(_) => {
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    /// Writes the artifact for `hash` atomically (temp file + rename, mode 0600). Failing to
    /// cache is not an error for the load that compiled it.
    pub fn store(&self, hash: &str, component: &Component) {
        let Ok(bytes) = component.serialize() else { return };
        let tmp = self.dir.join(format!(".{hash}.{}.{:?}.tmp", std::process::id(), std::thread::current().id()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(&tmp).and_then(|mut f| f.write_all(&bytes).and_then(|()| f.sync_all()));
        if written.and_then(|()| fs::rename(&tmp, self.path(hash))).is_err() {
            let _ = fs::remove_file(&tmp);
        }
    }
}
