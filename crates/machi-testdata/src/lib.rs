//! Where the tests and benchmarks of every Machi crate find their inputs: the repository, and the
//! real data written by others in `../shared/data` beside it (never copied into the repository;
//! CI has it there too). When that folder is missing, a test says so plainly, naming the folder
//! and what it wanted, instead of failing with "No such file or directory".

use std::path::{Path, PathBuf};

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file or folder of the real data (`../shared/data/{relative}`); panics with a plain message
/// when the data folder, or this part of it, is missing.
pub fn shared_data(relative: &str) -> PathBuf {
    let root = repo().join("../shared/data");
    assert!(
        root.is_dir(),
        "the real data folder is missing: this test reads {relative} from {} \
         (../shared/data beside the repository; see its SOURCES.md). Put the shared data there \
         and run the tests again.",
        root.display()
    );
    let path = root.join(relative);
    assert!(
        path.exists(),
        "{relative} is missing from the real data folder {} (see its SOURCES.md)",
        root.display()
    );
    path
}

/// The bytes of a real data file.
pub fn read(relative: &str) -> Vec<u8> {
    let path = shared_data(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of a real data file.
pub fn read_to_string(relative: &str) -> String {
    let path = shared_data(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
