//! The suite travels with the binary: `features/` and `snapshots/` are embedded at build time.
//!
//! `cargo install --path .` followed by `tokenspec run` from any directory must work, so the
//! binary cannot rely on the source tree. `build.rs` embeds every file of the two directories;
//! at run time, when `--features DIR` is not given, [`materialise`] writes them to a directory
//! named after their content hash under the system temp dir and the runner reads them from there,
//! exactly as it would read the source tree (`<root>/features`, `<root>/snapshots`).
//!
//! The directory is reused across runs only when every file in it still matches the embedded
//! bytes, so a half-written or tampered copy is replaced rather than trusted. Writing goes to a
//! private temporary directory that is renamed into place, so two runs starting at once never
//! see a partial copy.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// Where the runner reads the suite from: the feature files and the snapshot files.
#[derive(Debug, Clone)]
pub struct Assets {
    features_dir: PathBuf,
    snapshots_dir: PathBuf,
}

impl Assets {
    /// Assets laid out like the source tree: `<root>/features` and `<root>/snapshots`.
    pub fn at(root: impl Into<PathBuf>) -> Assets {
        let root = root.into();
        Assets {
            features_dir: root.join("features"),
            snapshots_dir: root.join("snapshots"),
        }
    }

    /// A features directory given on the command line; snapshots are taken from the
    /// `snapshots` directory next to it (`<dir>/../snapshots`), as in the source tree.
    pub fn with_features(dir: impl Into<PathBuf>) -> Assets {
        let features_dir: PathBuf = dir.into();
        let snapshots_dir = features_dir
            .parent()
            .map(|p| p.join("snapshots"))
            .unwrap_or_else(|| PathBuf::from("snapshots"));
        Assets {
            features_dir,
            snapshots_dir,
        }
    }

    /// The feature files' directory.
    pub fn features_dir(&self) -> &Path {
        &self.features_dir
    }

    /// The snapshot files' directory.
    pub fn snapshots_dir(&self) -> &Path {
        &self.snapshots_dir
    }
}

/// The embedded files could not be written out.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot write the embedded features to {path}: {source} \
     (set TMPDIR to a writable directory, or pass --features DIR)"
)]
pub struct AssetsError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// The embedded files: path relative to the crate root (`features/...`, `snapshots/...`) and
/// contents.
pub fn files() -> &'static [(&'static str, &'static [u8])] {
    embedded::FILES
}

/// The hash of every embedded path and content.
pub fn content_hash() -> &'static str {
    embedded::HASH
}

/// Writes the embedded files to `<temp>/tokenspec-assets-<hash>` (or reuses an identical copy)
/// and returns where they are.
pub fn materialise() -> Result<Assets, AssetsError> {
    materialise_in(&std::env::temp_dir())
}

/// [`materialise`] under `base` instead of the system temp dir.
pub fn materialise_in(base: &Path) -> Result<Assets, AssetsError> {
    let root = base.join(format!("tokenspec-assets-{}", content_hash()));
    if matches_embedded(&root) {
        return Ok(Assets::at(root));
    }
    // Unique per process and call, so concurrent writers never share a staging directory.
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let staging = base.join(format!(
        "tokenspec-assets-{}.tmp-{}-{}",
        content_hash(),
        std::process::id(),
        CALLS.fetch_add(1, Ordering::Relaxed)
    ));
    let error = |path: &Path| {
        let path = path.to_owned();
        move |source| AssetsError { path, source }
    };
    let _ = std::fs::remove_dir_all(&staging);
    write_all(&staging).map_err(error(&staging))?;
    if root.exists() {
        // Another run may have finished its identical copy meanwhile: use it, never remove it
        // from under that run.
        if matches_embedded(&root) {
            let _ = std::fs::remove_dir_all(&staging);
            return Ok(Assets::at(root));
        }
        // A stale or damaged copy: replace it. If it cannot be removed (another user's), fall
        // back to this run's private copy.
        if std::fs::remove_dir_all(&root).is_err() {
            return Ok(Assets::at(staging));
        }
    }
    match std::fs::rename(&staging, &root) {
        Ok(()) => Ok(Assets::at(root)),
        // Another run renamed its identical copy into place first.
        Err(_) if matches_embedded(&root) => {
            let _ = std::fs::remove_dir_all(&staging);
            Ok(Assets::at(root))
        }
        Err(_) => Ok(Assets::at(staging)),
    }
}

fn write_all(dir: &Path) -> std::io::Result<()> {
    for root in ["features", "snapshots"] {
        std::fs::create_dir_all(dir.join(root))?;
    }
    for (relative, bytes) in files() {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    Ok(())
}

fn matches_embedded(dir: &Path) -> bool {
    dir.is_dir()
        && files()
            .iter()
            .all(|(relative, bytes)| std::fs::read(dir.join(relative)).is_ok_and(|b| b == *bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeds_the_feature_tree() {
        assert!(
            files().iter().any(|(p, _)| p.starts_with("features/")),
            "no features embedded"
        );
        assert!(files().iter().all(|(p, _)| !p.ends_with(".snap.new")));
        assert_eq!(content_hash().len(), 16);
    }

    #[test]
    fn materialises_and_reuses_an_identical_copy() {
        let base = tempfile::tempdir().unwrap();
        let first = materialise_in(base.path()).unwrap();
        let root = first.features_dir().parent().unwrap();
        for (relative, bytes) in files() {
            assert_eq!(std::fs::read(root.join(relative)).unwrap(), *bytes);
        }
        assert!(first.features_dir().is_dir());
        assert!(first.snapshots_dir().is_dir());
        let second = materialise_in(base.path()).unwrap();
        assert_eq!(first.features_dir(), second.features_dir());
    }

    #[test]
    fn concurrent_runs_share_one_copy() {
        let base = tempfile::tempdir().unwrap();
        let dirs: Vec<PathBuf> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| materialise_in(base.path()).unwrap()))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap().features_dir().to_owned())
                .collect()
        });
        for dir in &dirs {
            assert!(dir.is_dir(), "{}", dir.display());
        }
        let root = base
            .path()
            .join(format!("tokenspec-assets-{}", content_hash()));
        assert!(matches_embedded(&root));
    }

    #[test]
    fn replaces_a_damaged_copy() {
        let base = tempfile::tempdir().unwrap();
        let assets = materialise_in(base.path()).unwrap();
        let (relative, bytes) = files()[0];
        let root = assets.features_dir().parent().unwrap().to_owned();
        std::fs::write(root.join(relative), b"tampered").unwrap();
        let again = materialise_in(base.path()).unwrap();
        let root = again.features_dir().parent().unwrap();
        assert_eq!(std::fs::read(root.join(relative)).unwrap(), bytes);
    }
}
