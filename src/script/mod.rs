//! The `.wast` runner: drives the compiler and the interpreter through a spec script, checking every
//! assertion, going on after a failure.
//!
//! ```text
//! .wast -text::parse_script-> Script -run-> per directive: compile (text) or decode (binary),
//!                                           instantiate against `spectest` + registered instances,
//!                                           invoke / get, compare with the expectation
//! ```
//! Expected messages are compared by prefix, as the reference interpreter does, for traps and
//! exhaustion; for malformed/invalid/unlinkable modules the class of the error must match (our
//! decoder's and validator's wording is wasmparser's, which differs from the reference interpreter's).

// Errors are the crate-wide `crate::error::Error`, which is larger than clippy likes in a `Result`.
#![allow(clippy::result_large_err)]

mod spectest;
mod value;

use std::collections::HashMap;

use crate::CompileOptions;
use crate::error::{Class, Error, Errors};
use crate::exec::{self, Extern, Imports, InstanceHandle, Store, Trap, Value};
use crate::text::syntax::{Action, Command, ModuleSource, ScriptModule};

/// How a script runs.
#[derive(Clone, Debug, Default)]
pub struct ScriptOptions {
    /// Limits of the store every module of the script is instantiated in.
    pub limits: exec::Limits,
    /// The features text modules are compiled with (default: WebAssembly 3.0).
    pub features: crate::Features,
}

/// One directive that did not do what the script says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// 1-based line of the directive.
    pub line: usize,
    /// 1-based column of the directive.
    pub column: usize,
    /// What happened instead.
    pub message: String,
}

/// The outcome of a script.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScriptReport {
    /// Directives that did what the script says.
    pub passed: usize,
    /// Those that did not, in order.
    pub failures: Vec<Failure>,
}

impl ScriptReport {
    /// Number of directives run.
    pub fn total(&self) -> usize {
        self.passed + self.failures.len()
    }
}

/// Runs the script `source` (named `name` in errors).
///
/// # Errors
/// Only if the script itself does not parse; failing directives are reported in the
/// [`ScriptReport`].
///
/// ```
/// let report = watlink::script::run_script("t.wast", r#"
///   (module (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
///   (assert_return (invoke "div" (i32.const 7) (i32.const 2)) (i32.const 3))
///   (assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
/// "#, &Default::default()).unwrap();
/// assert_eq!((report.passed, report.failures.len()), (3, 0));
/// ```
pub fn run_script(
    name: &str,
    source: &str,
    options: &ScriptOptions,
) -> Result<ScriptReport, Errors> {
    let script = crate::text::parse_script(source).map_err(|e| Errors::new(name, source, e))?;
    let mut runner = Runner::new(options);
    let mut report = ScriptReport::default();
    for command in &script.commands {
        match runner.command(command) {
            Ok(()) => report.passed += 1,
            Err(message) => {
                let (line, column) = line_col(source, command.span().start);
                report.failures.push(Failure {
                    line,
                    column,
                    message,
                });
            }
        }
    }
    Ok(report)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        + 1;
    (line, column)
}

/// The state of a running script.
struct Runner {
    store: Store,
    spectest: HashMap<String, Extern>,
    /// `(register "name" …)`ed instances.
    registered: HashMap<String, InstanceHandle>,
    /// Instances by their `$id`.
    named: HashMap<String, InstanceHandle>,
    /// The most recent instance.
    current: Option<InstanceHandle>,
    /// The features text modules are compiled with.
    features: crate::Features,
}

/// A directive's result: `Err` says how it failed.
type Outcome = Result<(), String>;

impl Runner {
    fn new(options: &ScriptOptions) -> Runner {
        let mut store = Store::new(options.limits);
        let spectest = spectest::define(&mut store);
        Runner {
            store,
            spectest,
            registered: HashMap::new(),
            named: HashMap::new(),
            current: None,
            features: options.features,
        }
    }

    fn command(&mut self, command: &Command<'_>) -> Outcome {
        match command {
            Command::Module(m) => {
                let result = self.load(m).and_then(|module| self.instantiate(&module));
                match result {
                    Ok(instance) => {
                        self.current = Some(instance);
                        if let Some(id) = &m.id {
                            self.named.insert(id.name.to_string(), instance);
                        }
                        Ok(())
                    }
                    Err(e) => {
                        self.current = None;
                        Err(format!("module failed: {} ({})", e.message, e.class.word()))
                    }
                }
            }
            Command::Instance { .. } => {
                Err("module instances (3.0 scripts) are not supported yet".into())
            }
            Command::Register { name, module, .. } => {
                let instance = self.instance(module.as_ref().map(|m| &*m.name))?;
                self.registered.insert(name.name.clone(), instance);
                Ok(())
            }
            Command::Action(action) => self
                .action(action)
                .map(|_| ())
                .map_err(|t| format!("trapped: {t}")),
            Command::AssertReturn {
                action, expected, ..
            } => {
                let values = self
                    .action(action)
                    .map_err(|t| format!("expected values, trapped: {t}"))?;
                value::check_results(&values, expected)
            }
            Command::AssertTrap {
                action, message, ..
            } => match self.action(action) {
                Ok(v) => Err(format!(
                    "expected trap \"{message}\", got {}",
                    value::show_all(&v)
                )),
                Err(t) if t.class() == Class::Trap => expect_message(t.message(), message),
                Err(t) => Err(format!("expected trap \"{message}\", got \"{t}\"")),
            },
            Command::AssertExhaustion {
                action, message, ..
            } => match self.action(action) {
                Ok(v) => Err(format!(
                    "expected exhaustion \"{message}\", got {}",
                    value::show_all(&v)
                )),
                Err(t) if t.class() == Class::Exhaustion => expect_message(t.message(), message),
                Err(t) => Err(format!(
                    "expected exhaustion \"{message}\", got trap \"{t}\""
                )),
            },
            Command::AssertTrapModule {
                module, message, ..
            } => self.expect_failure(module, &[Class::Uninstantiable, Class::Trap], message),
            Command::AssertMalformed {
                module, message, ..
            } => self.expect_failure(module, &[Class::Malformed], message),
            Command::AssertInvalid {
                module, message, ..
            } => self.expect_failure(module, &[Class::Invalid], message),
            Command::AssertUnlinkable {
                module, message, ..
            } => self.expect_failure(module, &[Class::Unlinkable], message),
            Command::AssertUninstantiable {
                module, message, ..
            } => self.expect_failure(module, &[Class::Uninstantiable, Class::Trap], message),
        }
    }

    /// Loading or instantiating `module` must fail with one of `classes`.
    fn expect_failure(
        &mut self,
        module: &ScriptModule<'_>,
        classes: &[Class],
        message: &str,
    ) -> Outcome {
        let result = self.load(module).and_then(|m| self.instantiate(&m));
        match result {
            Ok(_) => Err(format!(
                "expected {} module (\"{message}\"), but it instantiated",
                classes[0].word()
            )),
            Err(e) if classes.contains(&e.class) => Ok(()),
            Err(e) => Err(format!(
                "expected {} module (\"{message}\"), got {}: {}",
                classes[0].word(),
                e.class.word(),
                e.message
            )),
        }
    }

    /// Compiles or decodes a script module.
    fn load(&self, module: &ScriptModule<'_>) -> Result<exec::Module, Error> {
        let options = CompileOptions {
            features: self.features,
            ..CompileOptions::default()
        };
        let first = |errors: Vec<Error>| errors.into_iter().next().expect("errors are never empty");
        let bytes = match &module.source {
            ModuleSource::Text(m) => crate::compile_module(m, &options).map_err(first)?,
            ModuleSource::Binary(bytes) => bytes.clone(),
            ModuleSource::Quote(bytes) => {
                let text = String::from_utf8(bytes.clone())
                    .map_err(|_| Error::unlocated(Class::Malformed, "malformed UTF-8 encoding"))?;
                let m = crate::text::parse_module(&text).map_err(first)?;
                crate::compile_module(&m, &options).map_err(first)?
            }
        };
        exec::Module::new(&bytes)
    }

    fn instantiate(&mut self, module: &exec::Module) -> Result<InstanceHandle, Error> {
        let mut imports = Imports::new();
        for (m, n) in module.import_names() {
            let found = if m == "spectest" {
                self.spectest.get(n).copied()
            } else {
                self.registered
                    .get(m)
                    .and_then(|&i| self.store.export(i, n))
            };
            if let Some(e) = found {
                imports.define(m, n, e);
            }
        }
        self.store.instantiate(module, &imports)
    }

    fn instance(&self, id: Option<&str>) -> Result<InstanceHandle, String> {
        match id {
            Some(id) => self
                .named
                .get(id)
                .copied()
                .ok_or_else(|| format!("unknown module ${id}")),
            None => self
                .current
                .ok_or_else(|| "no module to act on".to_string()),
        }
    }

    fn action(&mut self, action: &Action<'_>) -> Result<Vec<Value>, Trap> {
        match action {
            Action::Invoke {
                module, name, args, ..
            } => {
                let instance = self
                    .instance(module.as_ref().map(|m| &*m.name))
                    .map_err(Trap::Host)?;
                let args: Vec<Value> = args
                    .iter()
                    .map(value::to_value)
                    .collect::<Result<_, _>>()
                    .map_err(Trap::Host)?;
                self.store.invoke(instance, &name.name, &args)
            }
            Action::Get { module, name, .. } => {
                let instance = self
                    .instance(module.as_ref().map(|m| &*m.name))
                    .map_err(Trap::Host)?;
                let v = self.store.get_global(instance, &name.name);
                v.map(|v| vec![v])
                    .ok_or_else(|| Trap::Host(format!("no global export \"{}\"", name.name)))
            }
        }
    }
}

/// The reference interpreter accepts an error whose message starts with the expected text.
fn expect_message(actual: &str, expected: &str) -> Outcome {
    if actual.starts_with(expected) {
        Ok(())
    } else {
        Err(format!("expected \"{expected}\", got \"{actual}\""))
    }
}
