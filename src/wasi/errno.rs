//! WASI preview 1 error numbers, and host I/O errors mapped to them.

use std::io;

/// A WASI errno.
pub(crate) type Errno = u16;

pub(crate) const SUCCESS: Errno = 0;
pub(crate) const ACCES: Errno = 2;
pub(crate) const BADF: Errno = 8;
pub(crate) const EXIST: Errno = 20;
pub(crate) const FAULT: Errno = 21;
pub(crate) const ILSEQ: Errno = 25;
pub(crate) const INVAL: Errno = 28;
pub(crate) const IO: Errno = 29;
pub(crate) const ISDIR: Errno = 31;
pub(crate) const LOOP: Errno = 32;
pub(crate) const NAMETOOLONG: Errno = 37;
pub(crate) const NOENT: Errno = 44;
pub(crate) const NOSYS: Errno = 52;
pub(crate) const NOTDIR: Errno = 54;
pub(crate) const NOTEMPTY: Errno = 55;
pub(crate) const PERM: Errno = 63;
pub(crate) const SPIPE: Errno = 70;
pub(crate) const NOTCAPABLE: Errno = 76;

/// The errno for a host I/O error. cap-std reports a path that would leave its directory as
/// `PermissionDenied` without an OS error (or as the kernel's EXDEV): that is `ENOTCAPABLE`.
pub(crate) fn from_io(e: &io::Error) -> Errno {
    #[cfg(target_os = "linux")]
    if let Some(os) = e.raw_os_error() {
        return match os {
            libc_errno::ENOENT => NOENT,
            libc_errno::EACCES => ACCES,
            libc_errno::EPERM => PERM,
            libc_errno::EEXIST => EXIST,
            libc_errno::ENOTDIR => NOTDIR,
            libc_errno::EISDIR => ISDIR,
            libc_errno::ENOTEMPTY => NOTEMPTY,
            libc_errno::ELOOP => LOOP,
            // openat2's RESOLVE_BENEATH (cap-std on Linux) refuses an escape with EXDEV.
            libc_errno::EXDEV => NOTCAPABLE,
            libc_errno::EINVAL => INVAL,
            libc_errno::ENAMETOOLONG => NAMETOOLONG,
            libc_errno::EBADF => BADF,
            libc_errno::ESPIPE => SPIPE,
            _ => IO,
        };
    }
    match e.kind() {
        io::ErrorKind::NotFound => NOENT,
        io::ErrorKind::PermissionDenied => NOTCAPABLE,
        io::ErrorKind::AlreadyExists => EXIST,
        io::ErrorKind::InvalidInput => INVAL,
        io::ErrorKind::NotADirectory => NOTDIR,
        io::ErrorKind::IsADirectory => ISDIR,
        io::ErrorKind::DirectoryNotEmpty => NOTEMPTY,
        _ => IO,
    }
}

/// The Linux values of the host errnos mapped above, so no libc dependency is needed.
#[cfg(target_os = "linux")]
mod libc_errno {
    pub const EPERM: i32 = 1;
    pub const ENOENT: i32 = 2;
    pub const EBADF: i32 = 9;
    pub const EACCES: i32 = 13;
    pub const EEXIST: i32 = 17;
    pub const EXDEV: i32 = 18;
    pub const ENOTDIR: i32 = 20;
    pub const EISDIR: i32 = 21;
    pub const EINVAL: i32 = 22;
    pub const ESPIPE: i32 = 29;
    pub const ENAMETOOLONG: i32 = 36;
    pub const ENOTEMPTY: i32 = 39;
    pub const ELOOP: i32 = 40;
}
