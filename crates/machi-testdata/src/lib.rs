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

/// The CPU time the calling thread has used so far (Linux; elsewhere the wall clock since the
/// first call). Tests that bound what one input may cost (a hostile header, an XML element with
/// thousands of attributes) measure this rather than the wall clock, which two busy cores shared
/// with other builds stretch several times over.
pub fn cpu_time() -> std::time::Duration {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getrusage writes into the struct we pass and reads nothing else.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) } == 0 {
            let tv = |t: libc::timeval| {
                std::time::Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000)
            };
            return tv(usage.ru_utime) + tv(usage.ru_stime);
        }
    }
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}
