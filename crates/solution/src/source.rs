//! Where a package's files come from: a folder on disk or a zip archive.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use switchboard_model::{Message, MessageId};

/// Most entries a zip may hold.
pub const ZIP_MAX_ENTRIES: usize = 20_000;
/// Largest uncompressed entry.
pub const ZIP_MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;
/// Largest total uncompressed size.
pub const ZIP_MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;
/// Highest uncompressed/compressed ratio accepted for entries over 1 MiB (zip bombs reach
/// thousands; real solution files stay far below).
pub const ZIP_MAX_RATIO: u64 = 200;

/// The files of one solution package, addressed by `/`-separated paths relative to its root.
#[derive(Debug)]
pub enum PackageSource {
    /// An unpacked folder (the root holds `Other/Solution.xml`, or `solution.xml`).
    Folder {
        /// The root folder.
        root: PathBuf,
        /// Relative paths of every file below the root.
        files: Vec<String>,
    },
    /// An exported zip, read into memory.
    Zip {
        /// The archive as the user named it.
        path: PathBuf,
        /// Entry path → content.
        files: BTreeMap<String, Vec<u8>>,
    },
}

impl PackageSource {
    /// Opens a folder or a `.zip` file.
    pub fn open(path: &Path) -> Result<Self, Message> {
        let meta = fs::metadata(path).map_err(|e| {
            Message::new(MessageId::PackageNotFound)
                .arg("path", path.display())
                .arg("detail", e)
        })?;
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(path, "", &mut files).map_err(|e| unreadable(path, e))?;
            files.sort();
            Ok(PackageSource::Folder {
                root: path.to_owned(),
                files,
            })
        } else {
            let bytes = fs::read(path).map_err(|e| unreadable(path, e))?;
            Ok(PackageSource::Zip {
                path: path.to_owned(),
                files: read_zip(path, &bytes)?,
            })
        }
    }

    /// A zip given as bytes (for example an upload), named `name` in messages.
    pub fn zip_from_bytes(name: &str, bytes: &[u8]) -> Result<Self, Message> {
        let path = PathBuf::from(name);
        let files = read_zip(&path, bytes)?;
        Ok(PackageSource::Zip { path, files })
    }

    /// Every file path, sorted.
    pub fn files(&self) -> Vec<&str> {
        match self {
            PackageSource::Folder { files, .. } => files.iter().map(String::as_str).collect(),
            PackageSource::Zip { files, .. } => files.keys().map(String::as_str).collect(),
        }
    }

    /// The path of a file whose name matches ignoring ASCII case.
    pub fn find(&self, wanted: &str) -> Option<&str> {
        self.files()
            .into_iter()
            .find(|f| f.eq_ignore_ascii_case(wanted))
    }

    /// A file's bytes.
    pub fn read(&self, rel: &str) -> Result<Vec<u8>, Message> {
        match self {
            PackageSource::Folder { root, .. } => {
                fs::read(root.join(rel)).map_err(|e| unreadable(&root.join(rel), e))
            }
            PackageSource::Zip { files, .. } => files.get(rel).cloned().ok_or_else(|| {
                Message::new(MessageId::PackageNotFound)
                    .arg("path", self.display(rel))
                    .arg("detail", "-")
            }),
        }
    }

    /// How a file is named in messages.
    pub fn display(&self, rel: &str) -> String {
        match self {
            PackageSource::Folder { root, .. } => root.join(rel).display().to_string(),
            PackageSource::Zip { path, .. } => format!("{}!/{rel}", path.display()),
        }
    }

    /// How the package itself is named in messages.
    pub fn origin(&self) -> String {
        match self {
            PackageSource::Folder { root, .. } => root.display().to_string(),
            PackageSource::Zip { path, .. } => path.display().to_string(),
        }
    }
}

fn unreadable(path: &Path, e: impl std::fmt::Display) -> Message {
    Message::new(MessageId::PackageUnreadable)
        .arg("path", path.display())
        .arg("detail", e)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), &rel, out)?;
        } else if kind.is_file() {
            out.push(rel);
        }
    }
    Ok(())
}

/// Reads every entry, refusing paths that escape the root and archives whose size or
/// entry count is beyond the limits (sizes are enforced while inflating, not trusted
/// from the headers).
fn read_zip(path: &Path, bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, Message> {
    let bad = |detail: String| {
        Message::new(MessageId::PackageBadZip)
            .arg("path", path.display())
            .arg("detail", detail)
    };
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    if archive.len() > ZIP_MAX_ENTRIES {
        return Err(bad(format!(
            "{} entries (at most {ZIP_MAX_ENTRIES})",
            archive.len()
        )));
    }
    let mut files = BTreeMap::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| bad(e.to_string()))?;
        let raw_name = entry.name().to_owned();
        let Some(name) = entry.enclosed_name() else {
            return Err(bad(format!(
                "entry {raw_name:?} points outside the archive"
            )));
        };
        if entry.is_dir() {
            continue;
        }
        let rel: Vec<String> = name
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let rel = rel.join("/");
        let mut content = Vec::new();
        let read = (&mut entry)
            .take(ZIP_MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut content)
            .map_err(|e| bad(e.to_string()))?;
        if read as u64 > ZIP_MAX_ENTRY_BYTES {
            return Err(bad(format!(
                "entry {rel:?} is larger than {ZIP_MAX_ENTRY_BYTES} bytes"
            )));
        }
        let compressed = entry.compressed_size().max(1);
        if read as u64 > (1 << 20) && read as u64 / compressed > ZIP_MAX_RATIO {
            return Err(bad(format!(
                "entry {rel:?} expands {}-fold ({} bytes from {compressed}); at most {ZIP_MAX_RATIO}-fold is accepted",
                read as u64 / compressed,
                read
            )));
        }
        total += read as u64;
        if total > ZIP_MAX_TOTAL_BYTES {
            return Err(bad(format!(
                "more than {ZIP_MAX_TOTAL_BYTES} bytes uncompressed"
            )));
        }
        files.insert(rel, content);
    }
    Ok(files)
}
