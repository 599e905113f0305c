//! `smithy-codegen`: the command line over the [`smithy_codegen::Codegen`] library.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "\
Generates Rust from Smithy service models (IDL `.smithy` files or JSON AST).

Usage: smithy-codegen generate --model FILE --out DIR (--crate NAME | --module PATH) [OPTIONS]
       smithy-codegen check    --model FILE --out DIR (--crate NAME | --module PATH) [OPTIONS]
       smithy-codegen inspect  --model FILE [--service ID] [--operation NAME]...
       smithy-codegen ast      --model FILE [--out FILE]

generate  Writes a complete crate (Cargo.toml and laid-out sources) generated from a model.
check     Writes nothing; exits 1 and lists the files of the crate in DIR that `generate`
          would change (for crates that are checked in), 0 when it is up to date.
inspect   Lists the model's services, and the operations and shapes the selection reaches,
          with counts.
ast       Prints the model as one Smithy 2.0 JSON AST document (mixins flattened, the prelude
          left out, keys sorted), or writes it to the --out FILE.

Options:
  --model FILE         A model file: Smithy IDL (.smithy) or JSON AST, 2.0 or 1.0, or a
                       directory of them; repeat to merge several
  --out DIR            The directory to write the crate into; created if missing
  --crate NAME         The crate's name
  --module PATH        Instead of a crate, write a module tree for a crate that depends on
                       smithy-runtime: PATH is the crate's name and the module's path in it,
                       such as `my_crate::aws::sts`; DIR is the module's directory (src/aws/sts),
                       which gets mod.rs and the files below it, paths rebased to the module
  --service ID         The service to generate, when the model has several
  --operation NAME     Generate only this operation and the shapes it reaches; repeatable
                       (default: all)
  --allow-unknown-traits
                       Warn about traits that nothing defines instead of refusing the model
  --runtime-path DIR   Depend on the smithy-runtime crate in DIR; a relative DIR is taken from
                       the current directory and written into Cargo.toml relative to the
                       generated crate (default: the runtime/ of the checkout this program
                       was built from)
  --runtime-git URL    Depend on smithy-runtime from this git repository instead
  --runtime-rev REV    With --runtime-git: the branch, tag or commit to use
  --runtime-version V  Depend on smithy-runtime from the crate registry, by version requirement
                       (it is not published there yet: for a registry or mirror that has it)
  -h, --help           Print this help
  -V, --version        Print the version
";

/// What `smithy-codegen generate` was asked to do.
struct Generate {
    model: Vec<PathBuf>,
    out: PathBuf,
    crate_name: String,
    /// `--module PATH`: a module tree instead of a crate.
    module: Option<String>,
    service: Option<String>,
    operation: Vec<String>,
    runtime: Runtime,
    allow_unknown_traits: bool,
}

/// Where the generated crate's `Cargo.toml` takes the runtime from, as the command line says.
#[derive(Debug, Default, PartialEq)]
enum Runtime {
    /// The runtime of the checkout this program was built from.
    #[default]
    ThisCheckout,
    Path(PathBuf),
    Git {
        url: String,
        rev: Option<String>,
    },
    Version(String),
}

/// What the command line asks for.
enum Command {
    Generate(Generate),
    Check(Generate),
    Inspect(Generate),
    Ast(Generate),
    Help,
    Version,
}

/// Reads the command line (without the program name). Options take their value as the next
/// argument or after `=`.
fn parse(arguments: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Command, String> {
    let mut arguments = arguments.into_iter();
    let command = match arguments.next().as_ref().and_then(|a| a.to_str()) {
        Some(command @ ("generate" | "check" | "inspect" | "ast")) => command.to_owned(),
        Some("-h" | "--help" | "help") => return Ok(Command::Help),
        Some("-V" | "--version") => return Ok(Command::Version),
        Some(other) => {
            return Err(format!(
                "unknown command `{other}`; the commands are `generate`, `check`, `inspect` and `ast`"
            ))
        }
        None => return Err("no command given; the commands are `generate`, `check`, `inspect` and `ast`".to_owned()),
    };
    let (mut model, mut out, mut crate_name, mut service) = (Vec::new(), None, None, None);
    let mut module = None;
    let (mut operation, mut allow_unknown_traits) = (Vec::new(), false);
    let (mut runtime, mut runtime_rev, mut runtime_options) = (Runtime::ThisCheckout, None, Vec::new());
    while let Some(argument) = arguments.next() {
        let argument = argument
            .into_string()
            .map_err(|argument| format!("`{}` is not valid UTF-8", argument.to_string_lossy()))?;
        if matches!(argument.as_str(), "-h" | "--help") {
            return Ok(Command::Help);
        }
        if argument == "--allow-unknown-traits" {
            allow_unknown_traits = true;
            continue;
        }
        let (name, inline) = match argument.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name.to_owned(), Some(value.to_owned())),
            _ => (argument, None),
        };
        let mut value = || -> Result<String, String> {
            match inline.clone() {
                Some(value) => Ok(value),
                None => arguments
                    .next()
                    .and_then(|value| value.into_string().ok())
                    .ok_or_else(|| format!("`{name}` needs a value")),
            }
        };
        match name.as_str() {
            "--model" => model.push(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--crate" => crate_name = Some(value()?),
            "--module" => module = Some(value()?),
            "--service" => service = Some(value()?),
            "--operation" => operation.push(value()?),
            "--runtime-path" => runtime = Runtime::Path(PathBuf::from(value()?)),
            "--runtime-git" => {
                runtime = Runtime::Git {
                    url: value()?,
                    rev: None,
                }
            }
            "--runtime-version" => runtime = Runtime::Version(value()?),
            "--runtime-rev" => {
                runtime_rev = Some(value()?);
                continue;
            }
            other => return Err(format!("unknown option `{other}`")),
        }
        if name.starts_with("--runtime-") {
            runtime_options.push(name);
        }
    }
    if runtime_options.len() > 1 {
        return Err(format!(
            "{} each name a runtime: give one of them",
            runtime_options.join(" and ")
        ));
    }
    match (&mut runtime, runtime_rev) {
        (Runtime::Git { rev, .. }, Some(given)) => *rev = Some(given),
        (_, Some(_)) => return Err("`--runtime-rev` goes with `--runtime-git URL`".to_owned()),
        (_, None) => {}
    }
    if model.is_empty() {
        return Err("`--model FILE` is required".to_owned());
    }
    if command == "inspect" || command == "ast" {
        let generate = Generate {
            model,
            out: out.unwrap_or_default(),
            crate_name: crate_name.unwrap_or_default(),
            module,
            service,
            operation,
            runtime,
            allow_unknown_traits,
        };
        return Ok(if command == "ast" {
            Command::Ast(generate)
        } else {
            Command::Inspect(generate)
        });
    }
    if module.is_some() && (crate_name.is_some() || !runtime_options.is_empty()) {
        return Err(
            "`--module` writes a module tree, which has no crate name or Cargo.toml: leave out `--crate` and `--runtime-*`"
                .to_owned(),
        );
    }
    let generate = Generate {
        model,
        out: out.ok_or("`--out DIR` is required")?,
        crate_name: match (&module, crate_name) {
            (Some(_), _) => String::new(),
            (None, name) => name.ok_or("`--crate NAME` (or `--module PATH`) is required")?,
        },
        module,
        service,
        operation,
        runtime,
        allow_unknown_traits,
    };
    Ok(if command == "check" {
        Command::Check(generate)
    } else {
        Command::Generate(generate)
    })
}

fn main() -> ExitCode {
    let command = match parse(std::env::args_os().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (generate, mode) = match command {
        Command::Generate(generate) => (generate, Mode::Generate),
        Command::Check(generate) => (generate, Mode::Check),
        Command::Inspect(generate) => return inspect(generate),
        Command::Ast(generate) => return ast(&generate),
        Command::Help => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("smithy-codegen {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
    };
    let start = Instant::now();
    let runtime = match runtime_dependency(&generate.runtime, &generate.out) {
        Ok(runtime) => runtime,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let Generate { out, module, .. } = &generate;
    let what = match module {
        Some(module) => format!("module `{module}`"),
        None => format!("crate `{}`", generate.crate_name),
    };
    let result = codegen(&generate).generate().and_then(|generated| {
        let options = smithy_codegen::CrateOptions::new(&generate.crate_name).runtime(runtime);
        for warning in generated.warnings() {
            eprintln!("warning: {warning}");
        }
        let files = match (mode, module) {
            (Mode::Generate, None) => generated.write_crate(out, &options)?,
            (Mode::Check, None) => generated.stale_files(out, &options)?,
            (Mode::Generate, Some(module)) => generated.write_module(out, module)?,
            (Mode::Check, Some(module)) => generated.stale_module_files(out, module)?,
        };
        Ok((generated, files))
    });
    match (result, mode) {
        (Ok((generated, written)), Mode::Generate) => {
            eprintln!(
                "generated {what} in {}: {} operations, {} shapes, {} files changed, in {:.1} ms",
                out.display(),
                generated.operation_count(),
                generated.shape_count(),
                written.len(),
                start.elapsed().as_secs_f64() * 1000.0,
            );
            ExitCode::SUCCESS
        }
        (Ok((_, stale)), Mode::Check) if stale.is_empty() => {
            eprintln!("{what} in {} is up to date with the model", out.display());
            ExitCode::SUCCESS
        }
        (Ok((_, stale)), Mode::Check) => {
            for path in &stale {
                println!("{}", out.join(path).display());
            }
            eprintln!(
                "{what} in {} is stale: {} files differ from what the model generates; \
                 run `smithy-codegen generate` with the same arguments",
                out.display(),
                stale.len()
            );
            ExitCode::FAILURE
        }
        (Err(err), _) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Whether the crate is written or compared.
#[derive(Clone, Copy)]
enum Mode {
    Generate,
    Check,
}

/// The library's builder for the command line's model and selection.
fn codegen(generate: &Generate) -> smithy_codegen::Codegen {
    let mut codegen = smithy_codegen::Codegen::new();
    for path in &generate.model {
        codegen.model(path);
    }
    if let Some(service) = &generate.service {
        codegen.service(service);
    }
    for name in &generate.operation {
        codegen.operation(name);
    }
    codegen.allow_unknown_traits(generate.allow_unknown_traits);
    codegen
}

/// `smithy-codegen ast`: prints the model as one JSON AST document, or writes it to `--out`
/// (whole, or not at all).
fn ast(generate: &Generate) -> ExitCode {
    let text = match codegen(generate).ast() {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    if generate.out.as_os_str().is_empty() {
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    let out = &generate.out;
    let temporary = out.with_extension("json.partial");
    let written = std::fs::write(&temporary, &text).and_then(|()| std::fs::rename(&temporary, out));
    match written {
        Ok(()) => {
            eprintln!("wrote the model's JSON AST to {}", out.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            let _ = std::fs::remove_file(&temporary);
            eprintln!("error: {}: {err}", out.display());
            ExitCode::FAILURE
        }
    }
}

/// `smithy-codegen inspect`: prints the services, and the operations and shapes selected.
fn inspect(generate: Generate) -> ExitCode {
    let inspection = match codegen(&generate).inspect() {
        Ok(inspection) => inspection,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "model: {} shapes, {} services",
        inspection.shapes,
        inspection.services.len()
    );
    for (service, operations) in &inspection.services {
        println!("  service {service}: {operations} operations bound directly");
    }
    let Some(selected) = inspection.selected else {
        println!("several services: choose one with --service to see what it reaches");
        return ExitCode::SUCCESS;
    };
    let which = if generate.operation.is_empty() {
        "every operation"
    } else {
        "the operations selected"
    };
    println!(
        "{which} of {}: {} operations, {} shapes generated",
        selected.service,
        selected.operations.len(),
        selected.shapes.len()
    );
    let mut by_type = std::collections::BTreeMap::<&str, usize>::new();
    for (_, kind) in &selected.shapes {
        *by_type.entry(kind).or_default() += 1;
    }
    let counts: Vec<String> = by_type.iter().map(|(kind, count)| format!("{kind} {count}")).collect();
    println!("  by type: {}", counts.join(", "));
    println!("operations:");
    for operation in &selected.operations {
        println!("  {operation}");
    }
    println!("shapes:");
    for (id, kind) in &selected.shapes {
        println!("  {id} ({kind})");
    }
    ExitCode::SUCCESS
}

/// The runtime dependency to write in the generated crate's Cargo.toml.
fn runtime_dependency(runtime: &Runtime, out: &Path) -> Result<smithy_codegen::RuntimeDependency, String> {
    use smithy_codegen::RuntimeDependency;
    Ok(match runtime {
        Runtime::ThisCheckout => match RuntimeDependency::this_checkout() {
            Some(RuntimeDependency::Path(dir)) => RuntimeDependency::Path(relative_to(&dir, out)?),
            _ => {
                return Err(format!(
                    "the runtime of the checkout this program was built from ({}/../runtime) is gone: \
                     name one with --runtime-path DIR, --runtime-git URL or --runtime-version V",
                    env!("CARGO_MANIFEST_DIR")
                ))
            }
        },
        Runtime::Path(dir) => RuntimeDependency::Path(runtime_dependency_path(dir, out)?),
        Runtime::Git { url, rev } => RuntimeDependency::Git {
            url: url.clone(),
            rev: rev.clone(),
        },
        Runtime::Version(requirement) => RuntimeDependency::Version(requirement.clone()),
    })
}

/// `target` (absolute) as a path relative to the directory `out` (taken from the current
/// directory when relative).
fn relative_to(target: &Path, out: &Path) -> Result<PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|err| format!("cannot read the current directory: {err}"))?;
    let target = normalize(&cwd.join(target));
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
    relative_to(dir, out)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_args(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(std::ffi::OsString::from))
    }

    #[test]
    fn reads_every_option_in_either_form() {
        let Ok(Command::Generate(generate)) = parse_args(&[
            "generate",
            "--model",
            "a.json",
            "--model=b.json",
            "--out",
            "out",
            "--crate=name",
            "--service",
            "ns#S",
            "--operation",
            "A",
            "--operation=B",
            "--runtime-path",
            "../runtime",
        ]) else {
            panic!("the arguments parse");
        };
        assert_eq!(generate.model, [PathBuf::from("a.json"), PathBuf::from("b.json")]);
        assert_eq!(
            (generate.out, generate.crate_name),
            (PathBuf::from("out"), "name".to_owned())
        );
        assert_eq!(generate.service.as_deref(), Some("ns#S"));
        assert_eq!(generate.operation, ["A", "B"]);
        assert_eq!(generate.runtime, Runtime::Path(PathBuf::from("../runtime")));
    }

    #[test]
    fn reads_the_runtime_options_and_refuses_two_runtimes() {
        let runtime = |extra: &[&str]| {
            let mut args = vec!["generate", "--model", "m", "--out", "o", "--crate", "c"];
            args.extend(extra);
            match parse_args(&args) {
                Ok(Command::Generate(generate)) => Ok(generate.runtime),
                Ok(_) => Err("another command".to_owned()),
                Err(message) => Err(message),
            }
        };
        assert_eq!(runtime(&[]), Ok(Runtime::ThisCheckout));
        assert_eq!(
            runtime(&["--runtime-git", "https://example.com/r.git", "--runtime-rev=main"]),
            Ok(Runtime::Git {
                url: "https://example.com/r.git".to_owned(),
                rev: Some("main".to_owned())
            })
        );
        assert_eq!(
            runtime(&["--runtime-version", "0.1"]),
            Ok(Runtime::Version("0.1".to_owned()))
        );
        assert_eq!(
            runtime(&["--runtime-path", "r", "--runtime-version", "0.1"]),
            Err("--runtime-path and --runtime-version each name a runtime: give one of them".to_owned())
        );
        assert_eq!(
            runtime(&["--runtime-rev", "main"]),
            Err("`--runtime-rev` goes with `--runtime-git URL`".to_owned())
        );
    }

    #[test]
    fn says_what_is_missing_or_unknown() {
        let error = |args: &[&str]| parse_args(args).err().unwrap_or_default();
        assert_eq!(
            error(&["generate", "--out", "o", "--crate", "c"]),
            "`--model FILE` is required"
        );
        assert_eq!(
            error(&["generate", "--model", "m", "--crate", "c"]),
            "`--out DIR` is required"
        );
        assert_eq!(error(&["generate", "--model"]), "`--model` needs a value");
        assert_eq!(error(&["generate", "--modle", "m"]), "unknown option `--modle`");
        assert_eq!(
            error(&["make"]),
            "unknown command `make`; the commands are `generate`, `check`, `inspect` and `ast`"
        );
        assert!(matches!(
            parse_args(&["check", "--model", "m", "--out", "o", "--crate", "c"]),
            Ok(Command::Check(_))
        ));
        assert!(matches!(
            parse_args(&["inspect", "--model", "m"]),
            Ok(Command::Inspect(_))
        ));
        assert!(matches!(parse_args(&["generate", "--help"]), Ok(Command::Help)));
        assert!(matches!(parse_args(&["--version"]), Ok(Command::Version)));
    }
}
