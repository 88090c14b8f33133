//! The WASI preview 1 functions: each reads its arguments from the caller's memory, acts on the
//! fd table, and returns an errno. Layouts are the `wasi_snapshot_preview1` witx's, little-endian.

use std::io::{self, Read, Seek, SeekFrom, Write};

use cap_std::fs::{Dir, OpenOptions};

use super::errno::{self, Errno};
use super::{Fd, MODULE, State, Wasi};
use crate::exec::{Extern, FuncType, Imports, Store, Trap, ValType, Value};

type Res = Result<(), Errno>;

/// Every right, for every fd: the sandbox is the preopen, not the rights.
const ALL_RIGHTS: u64 = (1 << 29) - 1;

// File types.
const FILETYPE_UNKNOWN: u8 = 0;
const FILETYPE_CHARACTER_DEVICE: u8 = 2;
const FILETYPE_DIRECTORY: u8 = 3;
const FILETYPE_REGULAR_FILE: u8 = 4;
const FILETYPE_SYMBOLIC_LINK: u8 = 7;

// `path_open` flags.
const OFLAGS_CREAT: u32 = 1;
const OFLAGS_DIRECTORY: u32 = 2;
const OFLAGS_EXCL: u32 = 4;
const OFLAGS_TRUNC: u32 = 8;
const FDFLAGS_APPEND: u32 = 1;
const RIGHT_FD_READ: u64 = 1 << 1;
const RIGHT_FD_WRITE: u64 = 1 << 6;
const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

/// The guest's memory, every access bounds-checked (`EFAULT` past its end).
struct Mem<'a>(&'a mut [u8]);

impl Mem<'_> {
    fn slice(&self, ptr: u32, len: u32) -> Result<&[u8], Errno> {
        let end = (ptr as usize)
            .checked_add(len as usize)
            .ok_or(errno::FAULT)?;
        self.0.get(ptr as usize..end).ok_or(errno::FAULT)
    }

    fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let end = (ptr as usize)
            .checked_add(len as usize)
            .ok_or(errno::FAULT)?;
        self.0.get_mut(ptr as usize..end).ok_or(errno::FAULT)
    }

    fn write(&mut self, ptr: u32, bytes: &[u8]) -> Res {
        self.slice_mut(ptr, bytes.len() as u32)?
            .copy_from_slice(bytes);
        Ok(())
    }

    fn u32(&self, ptr: u32) -> Result<u32, Errno> {
        let b = self.slice(ptr, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn set_u32(&mut self, ptr: u32, v: u32) -> Res {
        self.write(ptr, &v.to_le_bytes())
    }

    fn set_u64(&mut self, ptr: u32, v: u64) -> Res {
        self.write(ptr, &v.to_le_bytes())
    }

    /// The guest string at `ptr..ptr+len` (a path): UTF-8 or `EILSEQ`.
    fn str(&self, ptr: u32, len: u32) -> Result<String, Errno> {
        let b = self.slice(ptr, len)?;
        std::str::from_utf8(b)
            .map(str::to_string)
            .map_err(|_| errno::ILSEQ)
    }

    /// The `(ptr, len)` pairs of an iovec array.
    fn iovecs(&self, iovs: u32, n: u32) -> Result<Vec<(u32, u32)>, Errno> {
        (0..n)
            .map(|i| {
                let at = iovs.checked_add(i.checked_mul(8).ok_or(errno::FAULT)?);
                let at = at.ok_or(errno::FAULT)?;
                Ok((self.u32(at)?, self.u32(at + 4)?))
            })
            .collect()
    }
}

/// Argument `i` as an unsigned 32-bit number (validation made the types right).
fn a32(args: &[Value], i: usize) -> u32 {
    match args.get(i) {
        Some(Value::I32(v)) => *v as u32,
        _ => 0,
    }
}

/// Argument `i` as an unsigned 64-bit number.
fn a64(args: &[Value], i: usize) -> u64 {
    match args.get(i) {
        Some(Value::I64(v)) => *v as u64,
        _ => 0,
    }
}

fn io_err(e: io::Error) -> Errno {
    errno::from_io(&e)
}

/// A WASI function body: the state, the caller's memory, the arguments.
type Body = fn(&mut State, &mut Mem<'_>, &[Value]) -> Res;

/// The WASI functions: name, parameter types, body (`None`: returns `ENOSYS`).
fn table() -> Vec<(&'static str, &'static [ValType], Option<Body>)> {
    use ValType::{I32 as W, I64 as L};
    vec![
        ("args_get", &[W, W], Some(args_get)),
        ("args_sizes_get", &[W, W], Some(args_sizes_get)),
        ("environ_get", &[W, W], Some(environ_get)),
        ("environ_sizes_get", &[W, W], Some(environ_sizes_get)),
        ("clock_res_get", &[W, W], Some(clock_res_get)),
        ("clock_time_get", &[W, L, W], Some(clock_time_get)),
        ("fd_advise", &[W, L, L, W], Some(fd_check)),
        ("fd_allocate", &[W, L, L], None),
        ("fd_close", &[W], Some(fd_close)),
        ("fd_datasync", &[W], Some(fd_sync)),
        ("fd_fdstat_get", &[W, W], Some(fd_fdstat_get)),
        ("fd_fdstat_set_flags", &[W, W], None),
        ("fd_fdstat_set_rights", &[W, L, L], Some(fd_check)),
        ("fd_filestat_get", &[W, W], Some(fd_filestat_get)),
        ("fd_filestat_set_size", &[W, L], Some(fd_filestat_set_size)),
        ("fd_filestat_set_times", &[W, L, L, W], None),
        ("fd_pread", &[W, W, W, L, W], Some(fd_pread)),
        ("fd_prestat_get", &[W, W], Some(fd_prestat_get)),
        ("fd_prestat_dir_name", &[W, W, W], Some(fd_prestat_dir_name)),
        ("fd_pwrite", &[W, W, W, L, W], Some(fd_pwrite)),
        ("fd_read", &[W, W, W, W], Some(fd_read)),
        ("fd_readdir", &[W, W, W, L, W], Some(fd_readdir)),
        ("fd_renumber", &[W, W], Some(fd_renumber)),
        ("fd_seek", &[W, L, W, W], Some(fd_seek)),
        ("fd_sync", &[W], Some(fd_sync)),
        ("fd_tell", &[W, W], Some(fd_tell)),
        ("fd_write", &[W, W, W, W], Some(fd_write)),
        (
            "path_create_directory",
            &[W, W, W],
            Some(path_create_directory),
        ),
        (
            "path_filestat_get",
            &[W, W, W, W, W],
            Some(path_filestat_get),
        ),
        ("path_filestat_set_times", &[W, W, W, W, L, L, W], None),
        ("path_link", &[W, W, W, W, W, W, W], None),
        ("path_open", &[W, W, W, W, W, L, L, W, W], Some(path_open)),
        ("path_readlink", &[W, W, W, W, W, W], Some(path_readlink)),
        (
            "path_remove_directory",
            &[W, W, W],
            Some(path_remove_directory),
        ),
        ("path_rename", &[W, W, W, W, W, W], Some(path_rename)),
        ("path_symlink", &[W, W, W, W, W], None),
        ("path_unlink_file", &[W, W, W], Some(path_unlink_file)),
        ("poll_oneoff", &[W, W, W, W], None),
        ("proc_raise", &[W], None),
        ("sched_yield", &[], Some(|_, _, _| Ok(()))),
        ("random_get", &[W, W], Some(random_get)),
        ("sock_accept", &[W, W, W], None),
        ("sock_recv", &[W, W, W, W, W, W], None),
        ("sock_send", &[W, W, W, W, W], None),
        ("sock_shutdown", &[W, W], None),
    ]
}

/// Defines every function of [`table`] and `proc_exit` in `imports`.
pub(super) fn define(wasi: &Wasi, store: &mut Store, imports: &mut Imports) {
    for (name, params, body) in table() {
        let w = wasi.clone();
        let ty = FuncType::new(params.to_vec(), vec![ValType::I32]);
        let f = store.host_func_with_caller(ty, move |caller, args| {
            let code = match (body, caller.memory()) {
                (None, _) => errno::NOSYS,
                (Some(_), None) => errno::FAULT,
                (Some(body), Some(memory)) => {
                    let mut state = w.lock();
                    match body(&mut state, &mut Mem(memory), args) {
                        Ok(()) => errno::SUCCESS,
                        Err(e) => e,
                    }
                }
            };
            Ok(vec![Value::I32(i32::from(code))])
        });
        imports.define(MODULE, name, Extern::Func(f));
    }
    let w = wasi.clone();
    let ty = FuncType::new(vec![ValType::I32], vec![]);
    let exit = store.host_func(ty, move |args| {
        let code = a32(args, 0) as i32;
        w.lock().exit = Some(code);
        Err(Trap::Host(format!("wasi: proc_exit({code})")))
    });
    imports.define(MODULE, "proc_exit", Extern::Func(exit));
}

// ---------------------------------------------------------------------------------------------
// Arguments, environment, clocks, random

/// Writes `list` as a `char**` array at `ptrs` pointing into NUL-terminated strings at `buf`.
fn strings_get(list: &[String], m: &mut Mem<'_>, ptrs: u32, buf: u32) -> Res {
    let mut at = buf;
    for (i, s) in list.iter().enumerate() {
        m.set_u32(ptrs + 4 * i as u32, at)?;
        m.write(at, s.as_bytes())?;
        m.write(at + s.len() as u32, &[0])?;
        at += s.len() as u32 + 1;
    }
    Ok(())
}

fn strings_sizes(list: &[String], m: &mut Mem<'_>, count: u32, size: u32) -> Res {
    m.set_u32(count, list.len() as u32)?;
    m.set_u32(size, list.iter().map(|s| s.len() as u32 + 1).sum())
}

fn args_get(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    strings_get(&st.args, m, a32(a, 0), a32(a, 1))
}

fn args_sizes_get(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    strings_sizes(&st.args, m, a32(a, 0), a32(a, 1))
}

fn environ_get(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    strings_get(&st.env, m, a32(a, 0), a32(a, 1))
}

fn environ_sizes_get(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    strings_sizes(&st.env, m, a32(a, 0), a32(a, 1))
}

fn clock_res_get(_: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    match a32(a, 0) {
        0..=3 => m.set_u64(a32(a, 1), 1_000),
        _ => Err(errno::INVAL),
    }
}

/// Realtime is the host's; the monotonic and CPU-time clocks count from the guest's start.
fn clock_time_get(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let ns = match a32(a, 0) {
        0 => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
        1..=3 => st.start.elapsed().as_nanos() as u64,
        _ => return Err(errno::INVAL),
    };
    m.set_u64(a32(a, 2), ns)
}

fn random_get(_: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let buf = m.slice_mut(a32(a, 0), a32(a, 1))?;
    getrandom::fill(buf).map_err(|_| errno::IO)
}

// ---------------------------------------------------------------------------------------------
// File descriptors

fn fd(st: &mut State, fd: u32) -> Result<&mut Fd, Errno> {
    st.fds
        .get_mut(fd as usize)
        .and_then(Option::as_mut)
        .ok_or(errno::BADF)
}

fn dir(st: &mut State, fd_: u32) -> Result<&Dir, Errno> {
    match fd(st, fd_)? {
        Fd::Dir { dir, .. } => Ok(dir),
        _ => Err(errno::NOTDIR),
    }
}

/// Succeeds for an open fd (calls that are hints here: `fd_advise`, `fd_fdstat_set_rights`).
fn fd_check(st: &mut State, _: &mut Mem<'_>, a: &[Value]) -> Res {
    fd(st, a32(a, 0)).map(|_| ())
}

fn fd_close(st: &mut State, _: &mut Mem<'_>, a: &[Value]) -> Res {
    let slot = st.fds.get_mut(a32(a, 0) as usize).ok_or(errno::BADF)?;
    slot.take().map(|_| ()).ok_or(errno::BADF)
}

fn fd_sync(st: &mut State, _: &mut Mem<'_>, a: &[Value]) -> Res {
    match fd(st, a32(a, 0))? {
        Fd::File { file, .. } => file.sync_all().map_err(io_err),
        Fd::Stdout => io::stdout().flush().map_err(io_err),
        _ => Ok(()),
    }
}

fn fd_fdstat_get(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let (ty, flags, rights) = match fd(st, a32(a, 0))? {
        Fd::Stdin => (FILETYPE_CHARACTER_DEVICE, 0, RIGHT_FD_READ),
        Fd::Stdout | Fd::Stderr => (FILETYPE_CHARACTER_DEVICE, 0, RIGHT_FD_WRITE),
        Fd::Dir { .. } => (FILETYPE_DIRECTORY, 0, ALL_RIGHTS),
        Fd::File { append, .. } => (FILETYPE_REGULAR_FILE, *append as u16, ALL_RIGHTS),
    };
    let mut buf = [0u8; 24];
    buf[0] = ty;
    buf[2..4].copy_from_slice(&flags.to_le_bytes());
    buf[8..16].copy_from_slice(&rights.to_le_bytes());
    buf[16..24].copy_from_slice(&ALL_RIGHTS.to_le_bytes());
    m.write(a32(a, 1), &buf)
}

/// A WASI `filestat` (64 bytes) for `meta`.
fn filestat(meta: &cap_std::fs::Metadata) -> [u8; 64] {
    let ft = meta.file_type();
    let ty = if ft.is_dir() {
        FILETYPE_DIRECTORY
    } else if ft.is_file() {
        FILETYPE_REGULAR_FILE
    } else if ft.is_symlink() {
        FILETYPE_SYMBOLIC_LINK
    } else {
        FILETYPE_UNKNOWN
    };
    let ns = |t: io::Result<cap_std::time::SystemTime>| {
        t.ok()
            .map(|t| t.into_std())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64)
    };
    let mut buf = [0u8; 64];
    buf[16] = ty;
    buf[24..32].copy_from_slice(&1u64.to_le_bytes());
    buf[32..40].copy_from_slice(&meta.len().to_le_bytes());
    buf[40..48].copy_from_slice(&ns(meta.accessed()).to_le_bytes());
    buf[48..56].copy_from_slice(&ns(meta.modified()).to_le_bytes());
    buf[56..64].copy_from_slice(&ns(meta.modified()).to_le_bytes());
    buf
}

fn fd_filestat_get(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let buf = match fd(st, a32(a, 0))? {
        Fd::File { file, .. } => filestat(&file.metadata().map_err(io_err)?),
        Fd::Dir { dir, .. } => filestat(&dir.dir_metadata().map_err(io_err)?),
        _ => {
            let mut buf = [0u8; 64];
            buf[16] = FILETYPE_CHARACTER_DEVICE;
            buf
        }
    };
    m.write(a32(a, 1), &buf)
}

fn fd_filestat_set_size(st: &mut State, _: &mut Mem<'_>, a: &[Value]) -> Res {
    match fd(st, a32(a, 0))? {
        Fd::File { file, .. } => file.set_len(a64(a, 1)).map_err(io_err),
        _ => Err(errno::BADF),
    }
}

fn fd_prestat_get(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    match fd(st, a32(a, 0))? {
        Fd::Dir {
            preopen: Some(name),
            ..
        } => {
            let len = name.len() as u32;
            m.write(a32(a, 1), &[0; 4])?;
            m.set_u32(a32(a, 1) + 4, len)
        }
        _ => Err(errno::BADF),
    }
}

fn fd_prestat_dir_name(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    match fd(st, a32(a, 0))? {
        Fd::Dir {
            preopen: Some(name),
            ..
        } => {
            let name = name.as_bytes();
            let len = (a32(a, 2) as usize).min(name.len());
            m.write(a32(a, 1), &name[..len])
        }
        _ => Err(errno::BADF),
    }
}

/// Reads into the iovecs at `iovs` from `read`, stopping at a short read.
fn read_into(
    m: &mut Mem<'_>,
    iovs: u32,
    n: u32,
    mut read: impl FnMut(&mut [u8]) -> io::Result<usize>,
) -> Result<u32, Errno> {
    let mut total = 0u32;
    for (ptr, len) in m.iovecs(iovs, n)? {
        let buf = m.slice_mut(ptr, len)?;
        let got = read(buf).map_err(io_err)?;
        total += got as u32;
        if got < len as usize {
            break;
        }
    }
    Ok(total)
}

/// The bytes of the iovecs at `iovs`, gathered.
fn gather(m: &Mem<'_>, iovs: u32, n: u32) -> Result<Vec<u8>, Errno> {
    let mut out = Vec::new();
    for (ptr, len) in m.iovecs(iovs, n)? {
        out.extend_from_slice(m.slice(ptr, len)?);
    }
    Ok(out)
}

fn fd_read(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let (iovs, n) = (a32(a, 1), a32(a, 2));
    let total = match fd(st, a32(a, 0))? {
        Fd::Stdin => read_into(m, iovs, n, |b| io::stdin().read(b))?,
        Fd::File { file, .. } => read_into(m, iovs, n, |b| file.read(b))?,
        Fd::Dir { .. } => return Err(errno::ISDIR),
        _ => return Err(errno::BADF),
    };
    m.set_u32(a32(a, 3), total)
}

fn fd_pread(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let (iovs, n, offset) = (a32(a, 1), a32(a, 2), a64(a, 3));
    let Fd::File { file, .. } = fd(st, a32(a, 0))? else {
        return Err(errno::SPIPE);
    };
    let saved = file.stream_position().map_err(io_err)?;
    file.seek(SeekFrom::Start(offset)).map_err(io_err)?;
    let total = read_into(m, iovs, n, |b| file.read(b));
    file.seek(SeekFrom::Start(saved)).map_err(io_err)?;
    m.set_u32(a32(a, 4), total?)
}

fn fd_write(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let bytes = gather(m, a32(a, 1), a32(a, 2))?;
    match fd(st, a32(a, 0))? {
        Fd::Stdout => {
            let mut out = io::stdout().lock();
            out.write_all(&bytes).and_then(|()| out.flush())
        }
        Fd::Stderr => io::stderr().write_all(&bytes),
        Fd::File { file, append } => {
            if *append {
                file.seek(SeekFrom::End(0)).map_err(io_err)?;
            }
            file.write_all(&bytes)
        }
        Fd::Dir { .. } => return Err(errno::ISDIR),
        Fd::Stdin => return Err(errno::BADF),
    }
    .map_err(io_err)?;
    m.set_u32(a32(a, 3), bytes.len() as u32)
}

fn fd_pwrite(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let bytes = gather(m, a32(a, 1), a32(a, 2))?;
    let Fd::File { file, .. } = fd(st, a32(a, 0))? else {
        return Err(errno::SPIPE);
    };
    let saved = file.stream_position().map_err(io_err)?;
    file.seek(SeekFrom::Start(a64(a, 3))).map_err(io_err)?;
    let wrote = file.write_all(&bytes);
    file.seek(SeekFrom::Start(saved)).map_err(io_err)?;
    wrote.map_err(io_err)?;
    m.set_u32(a32(a, 4), bytes.len() as u32)
}

fn fd_seek(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let offset = a64(a, 1) as i64;
    let Fd::File { file, .. } = fd(st, a32(a, 0))? else {
        return Err(errno::SPIPE);
    };
    let to = match a32(a, 2) {
        0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| errno::INVAL)?),
        1 => SeekFrom::Current(offset),
        2 => SeekFrom::End(offset),
        _ => return Err(errno::INVAL),
    };
    let at = file.seek(to).map_err(io_err)?;
    m.set_u64(a32(a, 3), at)
}

fn fd_tell(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let Fd::File { file, .. } = fd(st, a32(a, 0))? else {
        return Err(errno::SPIPE);
    };
    let at = file.stream_position().map_err(io_err)?;
    m.set_u64(a32(a, 1), at)
}

fn fd_renumber(st: &mut State, _: &mut Mem<'_>, a: &[Value]) -> Res {
    let (from, to) = (a32(a, 0) as usize, a32(a, 1) as usize);
    fd(st, from as u32)?;
    fd(st, to as u32)?;
    let moved = st.fds[from].take();
    st.fds[to] = moved;
    Ok(())
}

/// Lists a directory: `.`, `..`, then its entries by name; the cookie of an entry is its index
/// plus one. Entries that do not fit are cut off (the guest asks again from the last cookie).
fn fd_readdir(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let (buf, buf_len, cookie, used) = (a32(a, 1), a32(a, 2), a64(a, 3), a32(a, 4));
    let dir = dir(st, a32(a, 0))?;
    let mut entries = vec![
        (".".to_string(), FILETYPE_DIRECTORY),
        ("..".to_string(), FILETYPE_DIRECTORY),
    ];
    let mut rest = Vec::new();
    for e in dir.entries().map_err(io_err)? {
        let e = e.map_err(io_err)?;
        let ty = match e.file_type() {
            Ok(t) if t.is_dir() => FILETYPE_DIRECTORY,
            Ok(t) if t.is_file() => FILETYPE_REGULAR_FILE,
            Ok(t) if t.is_symlink() => FILETYPE_SYMBOLIC_LINK,
            _ => FILETYPE_UNKNOWN,
        };
        rest.push((e.file_name().to_string_lossy().into_owned(), ty));
    }
    rest.sort();
    entries.extend(rest);
    let mut out = Vec::new();
    for (i, (name, ty)) in entries.iter().enumerate().skip(cookie as usize) {
        let mut head = [0u8; 24];
        head[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        head[8..16].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        head[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
        head[20] = *ty;
        out.extend_from_slice(&head);
        out.extend_from_slice(name.as_bytes());
        if out.len() >= buf_len as usize {
            break;
        }
    }
    out.truncate(buf_len as usize);
    m.write(buf, &out)?;
    m.set_u32(used, out.len() as u32)
}

// ---------------------------------------------------------------------------------------------
// Paths (always beneath a directory fd, through cap-std)

/// The directory `a[fd]` and the guest path at `a[ptr]`, `a[len]`.
fn at<'s>(
    st: &'s mut State,
    m: &Mem<'_>,
    a: &[Value],
    fd: usize,
    ptr: usize,
) -> Result<(&'s Dir, String), Errno> {
    let path = m.str(a32(a, ptr), a32(a, ptr + 1))?;
    let dir = dir(st, a32(a, fd))?;
    if escapes(&path) {
        return Err(errno::NOTCAPABLE);
    }
    Ok((dir, path))
}

/// Whether `path` leaves its directory as written: absolute, or more `..` than names before
/// them. Refused before any lookup, so the errno does not depend on what exists (as uvwasi);
/// cap-std then refuses what this cannot see (symlinks pointing out).
fn escapes(path: &str) -> bool {
    if path.starts_with('/') {
        return true;
    }
    let mut depth = 0i64;
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

fn path_create_directory(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let (dir, path) = at(st, m, a, 0, 1)?;
    dir.create_dir(path).map_err(io_err)
}

fn path_remove_directory(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let (dir, path) = at(st, m, a, 0, 1)?;
    dir.remove_dir(path).map_err(io_err)
}

fn path_unlink_file(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let (dir, path) = at(st, m, a, 0, 1)?;
    dir.remove_file(path).map_err(io_err)
}

fn path_filestat_get(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let follow = a32(a, 1) & LOOKUP_SYMLINK_FOLLOW != 0;
    let (dir, path) = at(st, m, a, 0, 2)?;
    let meta = if follow {
        dir.metadata(path)
    } else {
        dir.symlink_metadata(path)
    };
    let buf = filestat(&meta.map_err(io_err)?);
    m.write(a32(a, 4), &buf)
}

fn path_readlink(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let (dir, path) = at(st, m, a, 0, 1)?;
    let target = dir.read_link_contents(path).map_err(io_err)?;
    let target = target.to_string_lossy().into_owned().into_bytes();
    let len = (a32(a, 4) as usize).min(target.len());
    m.write(a32(a, 3), &target[..len])?;
    m.set_u32(a32(a, 5), len as u32)
}

fn path_rename(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let from = m.str(a32(a, 1), a32(a, 2))?;
    let to = m.str(a32(a, 4), a32(a, 5))?;
    if escapes(&from) || escapes(&to) {
        return Err(errno::NOTCAPABLE);
    }
    let to_dir = dir(st, a32(a, 3))?.try_clone().map_err(io_err)?;
    let from_dir = dir(st, a32(a, 0))?;
    from_dir.rename(from, &to_dir, to).map_err(io_err)
}

fn path_open(st: &mut State, m: &mut Mem<'_>, a: &[Value]) -> Res {
    let (oflags, rights, fdflags) = (a32(a, 4), a64(a, 5), a32(a, 7));
    let follow = a32(a, 1) & LOOKUP_SYMLINK_FOLLOW != 0;
    let (base, path) = at(st, m, a, 0, 2)?;
    let write = rights & RIGHT_FD_WRITE != 0 || oflags & (OFLAGS_CREAT | OFLAGS_TRUNC) != 0;
    let is_dir = if follow {
        base.metadata(&path)
    } else {
        base.symlink_metadata(&path)
    }
    .is_ok_and(|meta| meta.is_dir());
    let new = if oflags & OFLAGS_DIRECTORY != 0 || (is_dir && !write) {
        let dir = base.open_dir(&path).map_err(io_err)?;
        Fd::Dir { dir, preopen: None }
    } else {
        let mut options = OpenOptions::new();
        let append = fdflags & FDFLAGS_APPEND != 0;
        options
            .read(rights & RIGHT_FD_READ != 0 || !write)
            .write(write && !append)
            .append(append)
            .truncate(oflags & OFLAGS_TRUNC != 0);
        if oflags & OFLAGS_EXCL != 0 && oflags & OFLAGS_CREAT != 0 {
            options.create_new(true);
        } else if oflags & OFLAGS_CREAT != 0 {
            options.create(true);
        }
        let file = base.open_with(&path, &options).map_err(io_err)?;
        Fd::File { file, append }
    };
    let slot = match st.fds.iter().position(Option::is_none) {
        Some(i) => i,
        None => {
            st.fds.push(None);
            st.fds.len() - 1
        }
    };
    st.fds[slot] = Some(new);
    m.set_u32(a32(a, 8), slot as u32)
}

#[cfg(test)]
mod tests {
    use super::escapes;

    #[test]
    fn lexical_escapes() {
        assert!(escapes("/etc/passwd"));
        assert!(escapes(".."));
        assert!(escapes("a/../../b"));
        assert!(escapes("./../b"));
        assert!(!escapes("a/../b"));
        assert!(!escapes("a/b/.."));
        assert!(!escapes("."));
    }
}
