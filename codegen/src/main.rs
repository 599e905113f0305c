//! `smithy-codegen`: the command line over the [`smithy_codegen::Codegen`] library.

use std::path::PathBuf;
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
        /// Depend on the smithy-runtime crate in this directory instead of the published one
        /// (written into Cargo.toml as given).
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
