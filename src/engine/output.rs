//! `--write-output DIR`: an observer that writes what each pipeline's exporters receive as OTLP
//! JSON lines, request by request as they leave the pipeline (nothing is kept in memory).
//!
//! Safety rules: each file is written to a temporary file inside DIR and renamed over
//! `DIR/<pipeline id with / as _>.jsonl` only when the whole replay succeeded — so a failed
//! run (a bad capture, a full disk) never leaves a truncated file in place of a previous good
//! one, and a symbolic link at the target is replaced, never followed out of DIR. Two
//! pipelines whose names would collide (`traces/a/b`, `traces/a_b`) get distinct files.

use std::collections::BTreeMap;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::Engine;
use crate::capture::model::Batch;
use crate::capture::write_otlp_json_line;
use crate::processors::api::Observer;

struct Target {
    file: BufWriter<NamedTempFile>,
    path: PathBuf,
}

/// Writes each pipeline's exported requests; [`OutputWriter::commit`] publishes the files.
pub struct OutputWriter {
    targets: BTreeMap<usize, Target>,
    /// The first write error; reported at commit (an observer cannot fail the replay).
    error: Option<String>,
}

/// File names for the pipelines, unique even where `/` → `_` makes two ids collide.
fn file_names(ids: &[(usize, &str)]) -> Vec<(usize, String)> {
    let mut used: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (index, id) in ids {
        let base = id.replace(['/', '\\'], "_");
        let mut name = format!("{base}.jsonl");
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{base}.{n}.jsonl");
            n += 1;
        }
        used.push(name.clone());
        out.push((*index, name));
    }
    out
}

impl OutputWriter {
    /// Prepare one temporary file per pipeline of `engine` inside `dir` (created if missing).
    pub fn create(dir: &Path, engine: &Engine) -> Result<Self, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let ids: Vec<(usize, &str)> = engine
            .pipelines()
            .map(|p| (p.index, p.id.as_str()))
            .collect();
        let mut targets = BTreeMap::new();
        for (index, name) in file_names(&ids) {
            let path = dir.join(&name);
            if path.is_dir() {
                return Err(format!("{} is a directory", path.display()));
            }
            let tmp = new_output_file(dir)
                .map_err(|e| format!("cannot create a file in {}: {e}", dir.display()))?;
            targets.insert(
                index,
                Target {
                    file: BufWriter::new(tmp),
                    path,
                },
            );
        }
        Ok(Self {
            targets,
            error: None,
        })
    }

    /// Flush and rename every file into place; the first error names its path.
    pub fn commit(self) -> Result<Vec<PathBuf>, String> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut written = Vec::new();
        for t in self.targets.into_values() {
            let tmp = t
                .file
                .into_inner()
                .map_err(|e| format!("cannot write {}: {}", t.path.display(), e.error()))?;
            tmp.as_file()
                .sync_all()
                .map_err(|e| format!("cannot write {}: {e}", t.path.display()))?;
            // rename(2) replaces a link at the target instead of writing through it.
            tmp.persist(&t.path)
                .map_err(|e| format!("cannot write {}: {}", t.path.display(), e.error))?;
            written.push(t.path);
        }
        Ok(written)
    }
}

impl Observer for OutputWriter {
    fn exported(&mut self, pipeline: usize, batch: &Batch) {
        if self.error.is_some() {
            return;
        }
        if let Some(t) = self.targets.get_mut(&pipeline) {
            if let Err(e) = write_otlp_json_line(batch, &mut t.file) {
                self.error = Some(format!("cannot write {}: {e}", t.path.display()));
            }
        }
    }
}

/// A temporary file in `dir` that becomes an output file: created with mode 0666 less the
/// umask, as a plain `create` would, not the owner-only mode temporary files get by default.
fn new_output_file(dir: &Path) -> std::io::Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

#[cfg(test)]
mod tests {
    use super::file_names;

    #[test]
    fn colliding_pipeline_ids_get_distinct_files() {
        let names = file_names(&[(0, "traces/a/b"), (1, "traces/a_b"), (2, "traces")]);
        assert_eq!(names[0].1, "traces_a_b.jsonl");
        assert_eq!(names[1].1, "traces_a_b.2.jsonl");
        assert_eq!(names[2].1, "traces.jsonl");
    }
}
