//! The Dask driver (`python/cityreach_dask`) on a LocalCluster of two workers: the sharded run
//! equals the single run, survives a killed worker, and fails fast on a refused shard
//! (`tests/clients/dask_check.py`). Skipped when Python lacks `distributed`.

use std::process::Command;

#[test]
fn sharded_runs_over_dask_equal_the_single_run() {
    let py = std::env::var("CITYREACH_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_dask = Command::new(&py)
        .args(["-c", "import dask, distributed"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_dask {
        println!("skipped: no python3 with dask and distributed (pip install dask distributed)");
        return;
    }
    let work = std::env::temp_dir().join(format!("cityreach-dask-{}", std::process::id()));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/dask_check.py");
    let out = Command::new(&py)
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_cityreach"))
        .arg(&work)
        .output()
        .expect("run the Dask check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("dask: 3 passed, 0 failed"), "{stdout}");
    let _ = std::fs::remove_dir_all(&work);
}
