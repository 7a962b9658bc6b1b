//! Embeds `features/` and `snapshots/` into the `tokenspec` binary (see `src/assets.rs`).
//!
//! A build script rather than a directory-embedding macro because cargo then knows to rebuild
//! when a feature file is added, removed or edited (`rerun-if-changed` on a directory scans it
//! recursively, and `include_bytes!` tracks each file), so `cargo run -- run` never runs a stale
//! copy of the suite. It also computes a content hash, which names the cache directory the
//! files are written to at run time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const ROOTS: &[&str] = &["features", "snapshots"];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut files = Vec::new();
    for root in ROOTS {
        println!("cargo:rerun-if-changed={root}");
        collect(&manifest, &manifest.join(root), &mut files);
    }
    files.sort();

    // FNV-1a over every path and content: stable across builds and platforms.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut code =
        String::from("/// Every embedded file: path relative to the crate root, contents.\n");
    code.push_str("pub(crate) static FILES: &[(&str, &[u8])] = &[\n");
    for (relative, absolute) in &files {
        let bytes = std::fs::read(absolute).expect("embedded asset is readable");
        for b in relative
            .as_bytes()
            .iter()
            .chain([0u8].iter())
            .chain(bytes.iter())
        {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        let _ = writeln!(
            code,
            "    ({relative:?}, include_bytes!({:?})),",
            absolute.display().to_string()
        );
    }
    code.push_str("];\n");
    let _ = writeln!(
        code,
        "/// Hash of every embedded path and content.\npub(crate) const HASH: &str = \"{hash:016x}\";"
    );

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("assets.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

/// Every regular file under `dir`, skipping hidden files and insta's pending snapshots.
fn collect(manifest: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
            continue;
        }
        if path.is_dir() {
            collect(manifest, &path, files);
        } else if path.is_file() {
            let relative = path
                .strip_prefix(manifest)
                .expect("under the manifest dir")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.push((relative, path));
        }
    }
}
