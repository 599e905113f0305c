//! Loading plus generating (rendering and formatting every file, nothing written) the bundled
//! model and, when `../shared` is present, the full published AmplifyBackend model and
//! QuickSight; each also unformatted (`Codegen::format(false)`).
//!
//! Targets on a 2-core machine: AmplifyBackend under 20 ms, QuickSight under 300 ms.
//!
//! `cargo bench -p smithy-codegen --bench generate`

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};

fn models() -> Vec<(&'static str, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut models = vec![("bundled GetBackendAuth", root.join("model/amplifybackend.json"))];
    let shared = root.join("../shared/models/aws");
    for (name, file) in [
        (
            "AmplifyBackend (published, 31 operations)",
            "amplifybackend-2020-08-11.json",
        ),
        ("QuickSight (2,348 shapes)", "quicksight-2018-04-01.json"),
    ] {
        let path = shared.join(file);
        if path.is_file() {
            models.push((name, path));
        } else {
            eprintln!("SKIPPED {name}: {} not found", path.display());
        }
    }
    models
}

fn generate(c: &mut Criterion) {
    for (name, path) in models() {
        let mut codegen = smithy_codegen::Codegen::new();
        codegen.model(&path);
        if let Err(err) = codegen.generate() {
            eprintln!("SKIPPED {name}: {err}");
            continue;
        }
        c.bench_function(name, |b| {
            b.iter(|| {
                let generated = codegen.generate().expect("generates");
                generated.source_files().expect("formats")
            })
        });
        codegen.format(false);
        c.bench_function(&format!("{name}, unformatted"), |b| {
            b.iter(|| {
                let generated = codegen.generate().expect("generates");
                generated.source_files().expect("assembles")
            })
        });
    }
}

criterion_group!(benches, generate);
criterion_main!(benches);
