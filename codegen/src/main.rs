//! `smithy-codegen`: the command line over the [`smithy_codegen::Codegen`] library.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

/// Generates Rust from Smithy 2.0 JSON AST service models.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes a complete crate (Cargo.toml and formatted sources) generated from a model.
    Generate {
        /// The model file (Smithy 2.0 JSON AST); repeat to merge several files.
        #[arg(long, required = true)]
        model: Vec<PathBuf>,
        /// The directory to write the crate into; created if missing.
        #[arg(long)]
        out: PathBuf,
        /// The crate's name.
        #[arg(long = "crate")]
        crate_name: String,
        /// The service to generate, when the model has several.
        #[arg(long)]
        service: Option<String>,
        /// Generate only this operation and the shapes it reaches; repeatable. Default: all.
        #[arg(long)]
        operation: Vec<String>,
        /// Depend on the smithy-runtime crate in this directory instead of the published one.
        /// A relative DIR is taken from the current directory and written into Cargo.toml
        /// relative to the generated crate.
        #[arg(long, value_name = "DIR")]
        runtime_path: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let Command::Generate {
        model,
        out,
        crate_name,
        service,
        operation,
        runtime_path,
    } = Cli::parse().command;
    let start = Instant::now();
    let runtime_path = match runtime_path.map(|dir| runtime_dependency_path(&dir, &out)).transpose() {
        Ok(path) => path,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let mut codegen = smithy_codegen::Codegen::new();
    for path in model {
        codegen.model(path);
    }
    if let Some(service) = service {
        codegen.service(service);
    }
    for name in operation {
        codegen.operation(name);
    }
    let result = codegen.generate().and_then(|generated| {
        let mut options = smithy_codegen::CrateOptions::new(&crate_name);
        if let Some(path) = &runtime_path {
            options = options.runtime_path(path);
        }
        let written = generated.write_crate(&out, &options)?;
        Ok((generated, written))
    });
    match result {
        Ok((generated, written)) => {
            eprintln!(
                "generated crate `{crate_name}` in {}: {} operations, {} shapes, {} files changed, in {:.1} ms",
                out.display(),
                generated.operation_count(),
                generated.shape_count(),
                written.len(),
                start.elapsed().as_secs_f64() * 1000.0,
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The path to write in the generated crate's Cargo.toml for the runtime in `dir`: relative to
/// the crate in `out` when `dir` is relative (both taken from the current directory), as given
/// when it is absolute.
fn runtime_dependency_path(dir: &Path, out: &Path) -> Result<PathBuf, String> {
    let manifest = dir.join("Cargo.toml");
    let names_runtime = std::fs::read_to_string(&manifest)
        .map(|text| {
            text.lines()
                .any(|line| line.replace(' ', "") == "name=\"smithy-runtime\"")
        })
        .map_err(|err| {
            format!(
                "--runtime-path {}: cannot read {}: {err}",
                dir.display(),
                manifest.display()
            )
        })?;
    if !names_runtime {
        return Err(format!(
            "--runtime-path {}: {} is not the manifest of the `smithy-runtime` crate",
            dir.display(),
            manifest.display()
        ));
    }
    if dir.is_absolute() {
        return Ok(dir.to_path_buf());
    }
    let cwd = std::env::current_dir().map_err(|err| format!("cannot read the current directory: {err}"))?;
    let target = normalize(&cwd.join(dir));
    let from = normalize(&cwd.join(out));
    let common = target
        .components()
        .zip(from.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut relative = PathBuf::new();
    for _ in from.components().skip(common) {
        relative.push("..");
    }
    relative.extend(target.components().skip(common));
    Ok(if relative.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        relative
    })
}

/// `path` with `.` and `..` components resolved by their names.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
