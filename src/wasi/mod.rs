//! WASI preview 1 (`wasi_snapshot_preview1`) for the interpreter: arguments, environment, stdio,
//! clocks, random bytes, `proc_exit`, and files and directories under preopened host directories.
//!
//! ```text
//! WasiConfig (args, env, preopens) -Wasi::new-> open each preopen as a cap-std Dir
//!   -Wasi::define(store, imports, module)-> a host function for each WASI import of the module
//!   guest call -> read arguments from the caller's memory -> fd table -> cap-std / std::io -> errno
//! ```
//!
//! The sandbox is cap-std's: every path the guest names is resolved by [`cap_std::fs::Dir`] beneath
//! a preopened directory, so `..` past it, absolute paths and symlinks pointing out fail (with
//! `ENOTCAPABLE` or the host's errno) and touch nothing. Calls this module does not implement
//! (sockets, `poll_oneoff`, links, timestamps) return `ENOSYS`; no guest input panics. A
//! `proc_exit` ends the guest with a host trap; [`Wasi::exit_code`] then holds the status.
//!
//! ```no_run
//! use watlink::exec::{Imports, Module, Store};
//! use watlink::wasi::{Wasi, WasiConfig};
//! let module = Module::new(&std::fs::read("hello.wasm").unwrap()).unwrap();
//! let mut config = WasiConfig::new();
//! config.arg("hello").env("LANG", "C").preopen("data", "/data");
//! let wasi = Wasi::new(config).unwrap();
//! let mut store = Store::default();
//! let mut imports = Imports::new();
//! wasi.define(&mut store, &mut imports);
//! let instance = store.instantiate(&module, &imports).unwrap();
//! let result = store.invoke(instance, "_start", &[]);
//! let status = wasi.exit_code().unwrap_or(if result.is_ok() { 0 } else { 1 });
//! ```

mod calls;
mod errno;

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cap_std::fs::{Dir, File};

use crate::exec::{Imports, Store};

/// The import module name of WASI preview 1.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// What a WASI guest is given: arguments, environment, preopened directories.
#[derive(Clone, Debug, Default)]
pub struct WasiConfig {
    args: Vec<String>,
    env: Vec<(String, String)>,
    preopens: Vec<(PathBuf, String)>,
}

impl WasiConfig {
    /// No arguments (not even a program name), no environment, no directories.
    pub fn new() -> WasiConfig {
        WasiConfig::default()
    }

    /// Appends an argument (the first is the program name).
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut WasiConfig {
        self.args.push(arg.into());
        self
    }

    /// Sets an environment variable.
    pub fn env(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut WasiConfig {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Gives the guest the host directory `host`, named `guest` in its file system.
    pub fn preopen(
        &mut self,
        host: impl Into<PathBuf>,
        guest: impl Into<String>,
    ) -> &mut WasiConfig {
        self.preopens.push((host.into(), guest.into()));
        self
    }
}

/// An open file descriptor of the guest.
enum Fd {
    Stdin,
    Stdout,
    Stderr,
    /// A directory; `preopen` is its guest name if it was preopened.
    Dir {
        dir: Dir,
        preopen: Option<String>,
    },
    /// A regular file; `append` writes go to its end.
    File {
        file: File,
        append: bool,
    },
}

/// The guest's WASI state.
struct State {
    args: Vec<String>,
    env: Vec<String>,
    fds: Vec<Option<Fd>>,
    exit: Option<i32>,
    start: Instant,
}

/// A WASI preview 1 host for one guest: define its functions into [`Imports`], run the guest, read
/// [`Wasi::exit_code`].
#[derive(Clone)]
pub struct Wasi {
    state: Arc<Mutex<State>>,
}

impl Wasi {
    /// Opens the preopened directories of `config` (fds 3, 4, … in order).
    ///
    /// # Errors
    /// A preopen that cannot be opened as a directory.
    pub fn new(config: WasiConfig) -> io::Result<Wasi> {
        let mut fds = vec![Some(Fd::Stdin), Some(Fd::Stdout), Some(Fd::Stderr)];
        for (host, guest) in config.preopens {
            let dir = Dir::open_ambient_dir(&host, cap_std::ambient_authority()).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot open {}: {e}", host.display()))
            })?;
            fds.push(Some(Fd::Dir {
                dir,
                preopen: Some(guest),
            }));
        }
        let state = State {
            args: config.args,
            env: config.env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            fds,
            exit: None,
            start: Instant::now(),
        };
        Ok(Wasi {
            state: Arc::new(Mutex::new(state)),
        })
    }

    /// Defines every WASI preview 1 function under [`MODULE`] in `imports` (host functions added
    /// to `store`); the ones not implemented return `ENOSYS`.
    pub fn define(&self, store: &mut Store, imports: &mut Imports) {
        calls::define(self, store, imports);
    }

    /// The status the guest passed to `proc_exit`, once it has.
    pub fn exit_code(&self) -> Option<i32> {
        self.lock().exit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A host function that panicked poisons the lock; the state stays usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}
