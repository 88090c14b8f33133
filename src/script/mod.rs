//! The `.wast` runner: drives the compiler and the interpreter through a spec script, checking every
//! assertion, going on after a failure.
//!
//! ```text
//! .wast -text::parse_script-> Script -run-> per directive: compile (text) or decode (binary),
//!                                           instantiate against `spectest` + registered instances,
//!                                           invoke / get, compare with the expectation
//! ```
//! Every assertion is judged as the reference interpreter judges it: the error must be of the
//! assertion's class (malformed, invalid, unlinkable, trap, exhaustion) and its message must start
//! with the expected text. [`ScriptReport::assertions`] counts both verdicts apart, so that a
//! message that drifts from the spec's words shows up even while the class is right.

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

/// How many assertions that name an expected error (`assert_malformed`, `assert_invalid`,
/// `assert_unlinkable`, `assert_uninstantiable`, `assert_trap`, `assert_exhaustion`) passed, judged by
/// the class of the error alone and by class and message (the strict verdict).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssertionTally {
    /// Assertions run.
    pub total: usize,
    /// Of those, how many failed with an error of the expected class.
    pub by_class: usize,
    /// Of those, how many also had a message starting with the expected text.
    pub by_message: usize,
    /// Of `by_message`, how many matched through [`RENAMED`]: the 1.0 suite's older words.
    pub renamed: usize,
}

impl std::ops::AddAssign for AssertionTally {
    fn add_assign(&mut self, o: AssertionTally) {
        self.total += o.total;
        self.by_class += o.by_class;
        self.by_message += o.by_message;
        self.renamed += o.renamed;
    }
}

/// The outcome of a script.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScriptReport {
    /// Directives that did what the script says (assertions: class and message).
    pub passed: usize,
    /// Those that did not, in order.
    pub failures: Vec<Failure>,
    /// The assertions among the directives, judged by class and by message.
    pub assertions: AssertionTally,
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
        let outcome = match runner.assertion(command) {
            Some(verdict) => {
                report.assertions.total += 1;
                report.assertions.by_class += usize::from(verdict.class_ok);
                report.assertions.by_message += usize::from(verdict.outcome.is_ok());
                report.assertions.renamed += usize::from(verdict.renamed);
                verdict.outcome
            }
            None => runner.command(command),
        };
        match outcome {
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
    /// `(module definition $M …)`s by their `$id`.
    definitions: HashMap<String, exec::Module>,
    /// The most recent module definition.
    last_definition: Option<exec::Module>,
    /// The features text modules are compiled with.
    features: crate::Features,
}

/// A directive's result: `Err` says how it failed.
type Outcome = Result<(), String>;

/// An assertion's result: whether the error was of the expected class, and the strict outcome
/// (class and message).
struct Verdict {
    class_ok: bool,
    outcome: Outcome,
    /// Matched through [`RENAMED`].
    renamed: bool,
}

impl Verdict {
    /// Judges an error against the expected classes and message.
    fn of(actual: Class, message: &str, classes: &[Class], expected: &str) -> Verdict {
        if !classes.contains(&actual) {
            return Verdict::wrong(format!(
                "expected {} \"{expected}\", got {}: \"{message}\"",
                classes[0].word(),
                actual.word()
            ));
        }
        let renamed = !message.starts_with(expected)
            && RENAMED
                .iter()
                .any(|&(old, new)| expected == old && message.starts_with(new));
        Verdict {
            class_ok: true,
            outcome: if renamed {
                Ok(())
            } else {
                expect_message(message, expected)
            },
            renamed,
        }
    }

    fn wrong(why: String) -> Verdict {
        Verdict {
            class_ok: false,
            outcome: Err(why),
            renamed: false,
        }
    }
}

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
            definitions: HashMap::new(),
            last_definition: None,
            features: options.features,
        }
    }

    fn command(&mut self, command: &Command<'_>) -> Outcome {
        match command {
            // A definition is compiled (or decoded) and validated, not instantiated.
            Command::Module(m) if m.definition => match self.load(m) {
                Ok(module) => {
                    if let Some(id) = &m.id {
                        self.definitions.insert(id.name.to_string(), module.clone());
                    }
                    self.last_definition = Some(module);
                    Ok(())
                }
                Err(e) => Err(format!("module failed: {} ({})", e.message, e.class.word())),
            },
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
            Command::Instance { id, module, .. } => {
                let definition = match module {
                    Some(m) => self.definitions.get(&*m.name),
                    None => self.last_definition.as_ref(),
                };
                let Some(definition) = definition.cloned() else {
                    return Err(match module {
                        Some(m) => format!("unknown module definition ${}", m.name),
                        None => "no module definition to instantiate".into(),
                    });
                };
                match self.instantiate(&definition) {
                    Ok(instance) => {
                        self.current = Some(instance);
                        if let Some(id) = id {
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
            // Passes when the action ends with an exception no handler caught.
            Command::AssertException { action, .. } => match self.action(action) {
                Err(Trap::Exception(_)) => Ok(()),
                Ok(values) => Err(format!(
                    "expected an exception, got {}",
                    value::show_all(&values)
                )),
                Err(t) => Err(format!("expected an exception, trapped: {t}")),
            },
            // The assertions that name an error; `run_script` judges them through `assertion`.
            other => self.assertion(other).map_or(Ok(()), |v| v.outcome),
        }
    }

    /// Judges an assertion that names an expected error; `None` for other directives.
    fn assertion(&mut self, command: &Command<'_>) -> Option<Verdict> {
        let trap_or_exhaustion = |r: Result<Vec<Value>, Trap>, class: Class, expected: &str| match r
        {
            Ok(v) => Verdict::wrong(format!(
                "expected {} \"{expected}\", got {}",
                class.word(),
                value::show_all(&v)
            )),
            Err(t) => Verdict::of(t.class(), t.message(), &[class], expected),
        };
        Some(match command {
            Command::AssertTrap {
                action, message, ..
            } => trap_or_exhaustion(self.action(action), Class::Trap, message),
            Command::AssertExhaustion {
                action, message, ..
            } => trap_or_exhaustion(self.action(action), Class::Exhaustion, message),
            Command::AssertTrapModule {
                module, message, ..
            }
            | Command::AssertUninstantiable {
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
            _ => return None,
        })
    }

    /// Loading or instantiating `module` must fail with one of `classes` and a message starting
    /// with `message`.
    fn expect_failure(
        &mut self,
        module: &ScriptModule<'_>,
        classes: &[Class],
        message: &str,
    ) -> Verdict {
        let result = self.load(module).and_then(|m| self.instantiate(&m));
        match result {
            Ok(_) => Verdict::wrong(format!(
                "expected {} module (\"{message}\"), but it instantiated",
                classes[0].word()
            )),
            Err(e) => Verdict::of(e.class, &e.message, classes, message),
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
        exec::Module::with_features(&bytes, &self.features)
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

/// Words of an older suite (1.0's, 2.0's, or an early proposal's) that a later one replaced, with the words that replaced them
/// (which watlink uses): (1.0's expected message, the message's start now). The same module is
/// expected to fail with the old words in 1.0's scripts and the new ones in 2.0's and 3.0's, so no
/// one message can match both by prefix; an assertion that matches only this way is counted in
/// [`AssertionTally::renamed`].
pub const RENAMED: &[(&str, &str)] = &[
    ("invalid UTF-8 encoding", "malformed UTF-8 encoding"),
    ("invalid mutability", "malformed mutability"),
    ("invalid section id", "malformed section id"),
    // A section or name longer than the bytes left: 1.0's decoder ran out of bytes first.
    ("unexpected end", "length out of bounds"),
    (
        "unexpected end of section or function",
        "length out of bounds",
    ),
    // `(type (func (result i32) (param i32)))`: 3.0's suite says "unexpected token".
    ("result before parameter", "unexpected token"),
    // `global.set` of an immutable global: 2.0's suite says "global is immutable", 3.0's the other way.
    ("global is immutable", "immutable global"),
    // The SIMD proposal's first words for lane immediates, kept by the annotations proposal's
    // copy of simd_lane.wast; the SIMD suite now says these.
    ("invalid lane length", "wrong number of lane indices"),
    ("malformed lane index", "i8 constant out of range"),
    ("malformed lane index", "unexpected token"),
    // The exception-handling proposal's reference interpreter named the operand types of a
    // mismatch at `throw`; 3.0's suite says "type mismatch" alone.
    (
        "type mismatch: instruction requires [i32] but stack has []",
        "type mismatch",
    ),
    (
        "type mismatch: instruction requires [i32] but stack has [i64]",
        "type mismatch",
    ),
];

/// The reference interpreter accepts an error whose message starts with the expected text.
fn expect_message(actual: &str, expected: &str) -> Outcome {
    if actual.starts_with(expected) {
        Ok(())
    } else {
        Err(format!("expected \"{expected}\", got \"{actual}\""))
    }
}
