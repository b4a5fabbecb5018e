use newton_policy_data::*;
use std::time::Instant;
#[test]
fn measure() {
    for entry in std::fs::read_dir("/work/main/node_modules/.cache/newton-policy-data").unwrap().flatten() {
        let p = entry.path();
        if p.extension().map(|e| e != "wasm").unwrap_or(true) { continue; }
        let wasm = std::fs::read(&p).unwrap();
        for mib in [8u64, 16, 24, 32, 48, 64, 128] {
            let cfg = HostConfig::from_json(&format!(r#"{{"memoryBytes":{}}}"#, mib << 20)).unwrap();
            let h = PolicyDataHost::new(cfg).unwrap();
            let t = Instant::now();
            let m = match h.load(&wasm) { Ok(m) => m, Err(e) => { println!("{} load: {e}", p.display()); continue; } };
            let lt = t.elapsed();
            let t = Instant::now();
            let r = m.run("{}", RunOptions::default());
            let rt = t.elapsed();
            let t = Instant::now();
            for _ in 0..20 { let _ = m.run("{}", RunOptions::default()); }
            println!("{} cap {mib} MiB load {lt:?} first {rt:?} warm {:?}: {:?}", p.file_name().unwrap().to_string_lossy(), t.elapsed() / 20, r.as_ref().map(|r| (&r.output[..r.output.len().min(80)], r.fuel_consumed)).map_err(|e| e.to_string()));
            if r.is_ok() || r.as_ref().err().map(|e| e.code != newton_core::ErrorCode::PolicyDataLimitMemory).unwrap_or(false) { break; }
        }
    }
}
