//! Headless Chromium for the tests of HTML pages: offline, with a fresh profile.

use std::path::{Path, PathBuf};

/// The browser, or None (with a note) when it is missing and CI did not require one.
pub fn chromium_or_skip() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            && out.status.success()
        {
            let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !p.is_empty() {
                return Some(PathBuf::from(p));
            }
        }
    }
    assert!(
        std::env::var_os("SOFTPOWER_REQUIRE_BROWSER").is_none(),
        "chromium is required (SOFTPOWER_REQUIRE_BROWSER is set) but not installed"
    );
    eprintln!(
        "SKIPPED browser check: chromium is not installed (apt-get install chromium; .ci/run installs it)"
    );
    None
}

/// Runs the browser headless on `url` with `extra` flags and returns its standard output.
/// Background networking is off: this machine refuses Chromium's outside connections.
pub fn headless(bin: &Path, profile: &Path, url: &str, extra: &[String]) -> Vec<u8> {
    let out = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
